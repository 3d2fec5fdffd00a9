import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findElectronBinary } from '../../main/launcher/electronBinary'

const root = join(import.meta.dirname, '..', '..')
const electron = findElectronBinary()
const builtRenderer = existsSync(join(root, 'out', 'renderer', 'index.html'))

describe('npm start without Electron', () => {
  it('explains a missing binary in one line', () => {
    const missing = findElectronBinary(() => '/nonexistent/electron')
    expect(missing).toEqual({ ok: false, reason: "Electron's binary is not installed (it is downloaded at install time, which needs internet)" })
    const broken = findElectronBinary(() => {
      throw new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again')
    })
    expect(broken).toEqual(missing)
  })

  it.skipIf(electron.ok || !builtRenderer)('says so in one readable line, then serves the UI in web mode', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'start-'))
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/launcher/startApp.ts', '--port', '0', '--data-dir', dataDir], { cwd: root })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    try {
      const deadline = Date.now() + 30_000
      while (!/http:\/\/\S+token=\w+/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      const lines = output.trim().split('\n')
      expect(lines[0]).toBe("Electron's binary is not installed (it is downloaded at install time, which needs internet): starting web mode instead (see README, \"Desktop app\").")
      const url = lines[1].match(/http:\/\/\S+/)![0]
      expect(output).not.toMatch(/\n\s+at /)
      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<div id="app"')
    } finally {
      child.kill('SIGTERM')
    }
  }, 60_000)
})
