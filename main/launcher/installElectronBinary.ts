import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { findElectronBinary } from './electronBinary'
import { environment } from '../config/environment'

/**
 * Our postinstall. npm 11 blocks dependencies' install scripts, so Electron's binary download is run
 * from here instead, where a failure (no internet) costs one line rather than the whole install:
 * `npm start` then serves the same UI in web mode.
 */
function installElectronBinary(): void {
  if (findElectronBinary().ok) return
  if (environment('ELECTRON_SKIP_BINARY_DOWNLOAD')) {
    console.log('Electron binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD): `npm start` will use web mode.')
    return
  }
  let installer: string
  try {
    installer = join(dirname(createRequire(import.meta.url).resolve('electron/package.json')), 'install.js')
  } catch {
    console.log('The electron package is not installed: `npm start` will use web mode.')
    return
  }
  const result = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 10 * 60_000 })
  if (result.status === 0 && findElectronBinary().ok) {
    console.log('Electron binary installed.')
    return
  }
  const lastLine = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim().split('\n').find((line) => /Error|error/.test(line)) ?? 'unknown error'
  console.log(`Electron's binary could not be downloaded (${lastLine.trim().slice(0, 160)}): \`npm start\` will use web mode.`)
}

installElectronBinary()
