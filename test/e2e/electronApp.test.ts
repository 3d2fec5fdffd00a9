import { describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { findElectronBinary } from '../../main/launcher/electronBinary'

const root = join(import.meta.dirname, '..', '..')
const binary = findElectronBinary()
const built = existsSync(join(root, 'out', 'main', 'index.js'))
const skipReason = !binary.ok ? binary.reason : !built ? 'the app is not built (npm run build)' : undefined
// The same behaviour is covered in Chromium through web mode (webUi.test.ts); this runs where Electron exists.
if (skipReason) console.log(`skipping Electron e2e: ${skipReason}`)

describe.skipIf(skipReason !== undefined)('desktop app (Electron)', () => {
  it('opens a sandboxed window with the workbench UI and the typed bridge', async () => {
    const userData = await mkdtemp(join(tmpdir(), 'electron-e2e-'))
    const app = await electron.launch({
      executablePath: binary.ok ? binary.path : undefined,
      args: [root, `--user-data-dir=${userData}`, '--no-sandbox'],
    })
    try {
      const window = await app.firstWindow()
      await window.waitForSelector('[data-testid=nav-train]')
      expect(await window.title()).toContain('CNN Workbench')
      expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
      expect(await window.evaluate(() => typeof (window as unknown as { workbenchBridge?: unknown }).workbenchBridge)).toBe('object')
      await expect.poll(() => window.getByTestId('arch-select').locator('option').count()).toBeGreaterThan(0)
    } finally {
      await app.close()
    }
  }, 60_000)
})
