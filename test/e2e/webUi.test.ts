import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping web UI e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

async function digitPng(): Promise<Buffer> {
  // A dark "1" on white paper: the predictor must invert it and centre it.
  const pixels = Buffer.alloc(80 * 80, 245)
  for (let y = 12; y < 68; y++) for (let x = 36; x < 44; x++) pixels[y * 80 + x] = 15
  return sharp(pixels, { raw: { width: 80, height: 80, channels: 1 } }).png().toBuffer()
}

async function dropFile(page: Page, name: string, bytes: Buffer, type: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64, type }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([data], name, { type }))
      return transfer
    },
    { name, base64: bytes.toString('base64'), type },
  )
  await page.dispatchEvent('[data-testid=drop-zone]', 'dragover', { dataTransfer })
  await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer })
}

describe.skipIf(!ready)('web UI in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('trains a small run: the chart gains points and progress reaches 100%', async () => {
    await page.goto(server.url)
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('epochs-input').fill('2')
    await page.getByTestId('batch-size-input').fill('64')
    await page.getByTestId('learning-rate-input').fill('0.002')
    await page.getByTestId('limit-input').fill('4000')
    await page.getByTestId('start-button').click()

    const chart = page.getByTestId('metrics-chart')
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0)
    const early = Number(await chart.getAttribute('data-points'))
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(early)
    await page.screenshot({ path: join(screenshots, 'train-running-1280x800.png') })

    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toContain('completed')
    expect(await page.getByTestId('progress-bar').getAttribute('aria-valuenow')).toBe('100')
    expect(await page.getByTestId('backend-badge').textContent()).toMatch(/wasm|tensorflow|cpu/)
    expect(await page.getByTestId('test-accuracy').textContent()).toMatch(/\d+(\.\d+)?%/)
    await screenshotBothSizes(page, 'train-done')

    // The chart exports what it draws as a PNG (opaque, the canvas's size).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-export-png').click()])
    expect(download.suggestedFilename()).toMatch(/\.png$/)
    const png = await sharp((await download.path())!).metadata()
    const canvas = await chart.evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])
    expect([png.format, png.width, png.height, png.hasAlpha && png.channels === 4]).toEqual(['png', canvas[0], canvas[1], true])
    const { isOpaque } = await sharp((await download.path())!).stats()
    expect(isOpaque).toBe(true)
    // The wheel zooms the samples axis; Reset zoom brings the whole run back.
    const drawn = Number(await chart.getAttribute('data-drawn'))
    const box = (await chart.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200)
    await expect.poll(() => page.getByTestId('chart-reset-zoom').count(), { timeout: 5_000 }).toBe(1)
    await expect.poll(async () => Number(await chart.getAttribute('data-drawn'))).not.toBe(drawn)
    await page.screenshot({ path: join(screenshots, 'train-zoomed-1280x800.png') })
    await page.getByTestId('chart-reset-zoom').click()
    await expect.poll(() => page.getByTestId('chart-reset-zoom').count()).toBe(0)
    await expect.poll(async () => Number(await chart.getAttribute('data-drawn'))).toBe(drawn)
  }, 180_000)

  it('drops an image and reads the top-5 predictions; a non-image is named in the notice', async () => {
    await page.getByTestId('nav-predict').click()
    const runSelect = page.getByTestId('run-select')
    await expect.poll(async () => (await runSelect.getByTestId('run-choice').count()) > 0, { timeout: 10_000 }).toBe(true)
    await dropFile(page, 'one.png', await digitPng(), 'image/png')
    const rows = page.getByTestId('prediction-row')
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(5)
    const texts = await rows.allTextContents()
    for (const text of texts) expect(text).toMatch(/\d+(\.\d+)?\s*%/)
    await expect.poll(() => page.getByTestId('prediction-detail').getByTestId('preview-canvas').isVisible()).toBe(true)
    await screenshotBothSizes(page, 'predict')

    await dropFile(page, 'shopping-list.txt', Buffer.from('eggs, milk'), 'text/plain')
    await expect.poll(() => page.getByTestId('error-notice').first().textContent(), { timeout: 10_000 }).toContain('shopping-list.txt')
    await page.screenshot({ path: join(screenshots, 'predict-error-1280x800.png') })

    // A file that claims to be a PNG gets past the browser; the server's decoder names it.
    await dropFile(page, 'fake.png', Buffer.from('not really a png'), 'image/png')
    await expect.poll(() => page.getByTestId('error-notice').first().textContent(), { timeout: 10_000 }).toContain('fake.png is not an image that can be read')

    // A chosen folder: its images are classified, anything else is named and skipped.
    const folder = await mkdtemp(join(tmpdir(), 'predict-folder-'))
    await writeFile(join(folder, 'a.png'), await digitPng())
    await writeFile(join(folder, 'b.png'), await digitPng())
    await writeFile(join(folder, 'notes.txt'), 'not an image')
    await page.getByTestId('folder-input').setInputFiles(folder)
    await expect.poll(() => page.getByTestId('prediction-top1').count(), { timeout: 20_000 }).toBe(2)
    expect(await page.getByTestId('error-notice').first().textContent()).toContain('notes.txt')
  }, 60_000)

  it('shows the System panel: the chosen backend and why each higher rung was skipped', async () => {
    await page.getByTestId('nav-system').click()
    await expect.poll(() => page.getByTestId('system-backend').textContent(), { timeout: 30_000 }).toMatch(/Training runs on (wasm|tensorflow)/)
    expect(await page.getByTestId('system-skipped').textContent()).toMatch(/tensorflow-gpu/)
    expect(await page.getByTestId('system-gpu').textContent()).toMatch(/GPU|driver/)
    // On the wasm-blas rung the panel names the BLAS library the native kernels run on.
    if ((await page.getByTestId('system-backend').textContent())?.includes('wasm-blas')) {
      expect(await page.getByTestId('system-backend-detail').textContent()).toMatch(/native kernels .*(OpenBLAS|Accelerate)/)
    }
    await screenshotBothSizes(page, 'system')
  }, 60_000)

  it('pauses, resumes and cancels a run from the Train view', async () => {
    await page.getByTestId('nav-train').click()
    await page.getByTestId('epochs-input').fill('3')
    await page.getByTestId('limit-input').fill('20000')
    await page.getByTestId('start-button').click()
    const status = page.getByTestId('run-status').first()
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('running')
    await page.getByTestId('pause-button').click()
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('paused')
    await page.screenshot({ path: join(screenshots, 'train-paused-1280x800.png') })
    await page.getByTestId('resume-button').click()
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('running')
    await page.getByTestId('cancel-button').click()
    await page.getByTestId('cancel-confirm').click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('cancelled')
  }, 90_000)

  it('continues an ended run from its checkpoint on the backend chosen beside Resume', async () => {
    if (!page.url().startsWith(server.url)) await page.goto(server.url)
    await page.getByTestId('nav-train').click()
    await page.getByTestId('epochs-input').fill('3')
    await page.getByTestId('limit-input').fill('20000')
    await page.getByTestId('start-button').click()
    const status = page.getByTestId('run-status').first()
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('running')
    const newest = async () => (await workbench.handlers['runs.list']({})).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!
    await expect.poll(async () => (await newest()).checkpointEpoch ?? 0, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(1)
    await page.getByTestId('cancel-button').click()
    await page.getByTestId('cancel-confirm').click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('cancelled')
    const startedOn = (await newest()).backend?.name
    const choice = page.getByTestId('resume-backend')
    expect(await choice.locator('option').first().textContent()).toBe(`${startedOn} (as started)`)
    await choice.selectOption('cpu')
    await page.screenshot({ path: join(screenshots, 'train-resume-backend-1280x800.png') })
    await page.getByTestId('resume-button').click()
    await expect.poll(async () => (await newest()).backend?.name, { timeout: 30_000 }).toBe('cpu')
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('running')
    await page.getByTestId('cancel-button').click()
    await page.getByTestId('cancel-confirm').click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('cancelled')
  }, 120_000)

  it('says under the form when a network cannot fit the wasm heap, before Start', async () => {
    await page.getByTestId('nav-train').click()
    const arch = await page.getByTestId('arch-select').inputValue()
    await page.getByTestId('arch-select').selectOption('vgg16')
    await expect.poll(() => page.getByTestId('memory-warning').textContent(), { timeout: 5_000 }).toMatch(/needs about [\d.]+ GiB to train.*at most \d+/)
    await page.screenshot({ path: join(screenshots, 'train-memory-warning-1280x800.png') })
    await page.getByTestId('arch-select').selectOption(arch)
    expect(await page.getByTestId('memory-warning').count()).toBe(0)
  }, 30_000)
})
