import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import { noise } from '../helpers/dataFixtures'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Data view e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

/** Three classes of coloured noise, plus a text file and a broken JPEG that must be listed as skipped. */
async function folderFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'data-view-'))
  const colours = { red: [1, 0.2, 0.2], green: [0.2, 1, 0.2], blue: [0.2, 0.2, 1] }
  let seed = 1
  for (const [name, tint] of Object.entries(colours)) {
    await mkdir(join(dir, name))
    for (let i = 0; i < 8; i++) {
      const pixels = noise(24, 24, 3, seed++).map((v, k) => Math.round(v * tint[k % 3]))
      await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } }).png().toFile(join(dir, name, `${i}.png`))
    }
  }
  await writeFile(join(dir, 'red', 'notes.txt'), 'not an image')
  await writeFile(join(dir, 'blue', 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]))
  return dir
}

describe.skipIf(!ready)('Data view in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('shows MNIST samples, their augmented versions and the class histogram', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-data').click()
    await expect.poll(() => page.getByTestId('data-sample-grid').locator('canvas').count(), { timeout: 30_000 }).toBeGreaterThan(9)
    expect(await page.getByTestId('data-augmented-grid').locator('canvas').count()).toBe(await page.getByTestId('data-sample-grid').locator('canvas').count())
    const histogram = await page.getByTestId('data-class-histogram').textContent()
    expect(histogram).toContain('5923')
    await screenshotBothSizes(page, 'data-mnist', { fullPage: true })
  }, 60_000)

  it('reads a folder and lists the skipped files with their reasons', async () => {
    const folder = await folderFixture()
    await page.getByTestId('data-source-select').selectOption('folder')
    await page.getByTestId('data-folder-input').fill(folder)
    await page.getByTestId('data-folder-load').click()
    const skipped = page.getByTestId('data-skipped-list')
    await expect.poll(() => skipped.textContent(), { timeout: 30_000 }).toContain('red/notes.txt')
    expect((await skipped.textContent())!.split('blue/broken.jpg').length - 1).toBe(1)
    expect(await page.getByTestId('data-class-histogram').textContent()).toMatch(/blue[\s\S]*green[\s\S]*red/)
    await expect.poll(() => page.getByTestId('data-sample-grid').locator('canvas').count()).toBeGreaterThan(2)
    await page.screenshot({ path: join(screenshots, 'data-folder-1280x800.png'), fullPage: true })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(screenshots, 'data-folder-1920x1080.png'), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 800 })
  }, 60_000)
})
