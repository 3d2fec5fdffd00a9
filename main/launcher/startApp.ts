import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { findElectronBinary } from './electronBinary'
import { runWebMode } from '../web/webMain'

/**
 * `npm start`: the desktop app where Electron's binary exists; otherwise one readable line saying why,
 * then the same UI in web mode, so the main job still runs.
 */
async function startApp(): Promise<void> {
  const electron = findElectronBinary()
  if (!electron.ok) {
    console.log(`${electron.reason}: starting web mode instead (see README, "Desktop app").`)
    await runWebMode([process.argv[0], process.argv[1], ...process.argv.slice(2)])
    return
  }
  const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
  const child = spawn(electron.path, [projectRoot, ...process.argv.slice(2)], { stdio: 'inherit' })
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)))
}

startApp().catch((error: unknown) => {
  console.error(`could not start CNN Workbench: ${(error as Error).message}`)
  process.exit(1)
})
