import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Browser, Page } from 'playwright-core'
import { connectClient, startTestServer, trainTinyRuns } from '../helpers/webHarness'
import { dropFiles, chooseModels } from '../helpers/uiFiles'
import { chromiumAvailable, launchChromium, SCREENSHOT_DIR } from '../helpers/browser'
import { photographedDigits } from '../helpers/photographedDigits'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Predict grid e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

describe.skipIf(!ready)('Predict at the scale users drop images', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page
  let client: Awaited<ReturnType<typeof connectClient>>
  const runIds: string[] = []

  beforeAll(async () => {
    ;({ server, workbench } = await startTestServer(rendererDir))
    client = await connectClient(server)
    runIds.push(...(await trainTinyRuns(client, { limit: 2000 })))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.on('pageerror', (error) => console.error('page error:', error.message))
    await mkdir(SCREENSHOT_DIR, { recursive: true })
  }, 400_000)

  afterAll(async () => {
    client?.close()
    await browser?.close()
    workbench?.close()
    await server?.close()
  })

  const classified = () => page.getByTestId('prediction-top1').count()

  it('20 labelled images x 2 models: a compact grid under two screens, accuracy and a confusion matrix per model', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-predict').click()
    const runSelect = page.getByTestId('run-select')
    await expect.poll(async () => runSelect.getByTestId('run-choice').count(), { timeout: 10_000 }).toBe(2)
    await chooseModels(page, runIds)
    // Labels from the names: `7_small.jpg` is a 7.
    const images = (await photographedDigits()).slice(0, 20)
    await dropFiles(page, images.map((image) => ({ name: image.fileName, bytes: image.bytes, type: 'image/jpeg' })))
    await expect.poll(classified, { timeout: 120_000 }).toBe(40)
    expect(await page.getByTestId('prediction-image').count()).toBe(20)
    expect(await page.getByTestId('model-summary').count()).toBe(2)
    expect(await page.getByTestId('confusion-matrix').count()).toBe(2)
    const accuracies = await page.getByTestId('model-accuracy').allTextContents()
    for (const text of accuracies) expect(text).toMatch(/right: \d+ of 20 labelled images/)
    // The matrix holds every labelled image once.
    const cells = await page.getByTestId('confusion-matrix').first().locator('td').allTextContents()
    expect(cells.reduce((sum, text) => sum + (Number(text.trim()) || 0), 0)).toBe(20)
    // The ticks on the tiles agree with the summary's count.
    const right = Number(accuracies[0]!.match(/right: (\d+)/)![1])
    const firstModelRight = await page.locator('[data-testid=prediction-image] [data-testid=prediction-model]:first-of-type [data-testid=verdict-right]').count()
    expect(firstModelRight).toBe(right)

    // Two models over the same classes: the ensemble (averaged probabilities) answers every image too, and its
    // accuracy on the labelled drops stands beside each model's, with its ticks agreeing with its count.
    expect(await page.getByTestId('ensemble-toggle').isChecked()).toBe(true)
    expect(await page.getByTestId('ensemble-top1').count()).toBe(20)
    const ensembleText = (await page.getByTestId('ensemble-accuracy').textContent()) ?? ''
    expect(ensembleText).toMatch(/right: \d+ of 20 labelled images/)
    expect(ensembleText).toMatch(/best single model: [AB], \d+\.\d%/)
    const ensembleRight = Number(ensembleText.match(/right: (\d+)/)![1])
    expect(await page.getByTestId('ensemble-verdict-right').count()).toBe(ensembleRight)
    expect(await page.getByTestId('ensemble-confusion-matrix').count()).toBe(1)
    console.log(`Predict, 20 photographed digits: models ${accuracies.map((text) => text.match(/^[\d.]+%/)?.[0]).join(', ')}, ensemble ${ensembleText.match(/^[\d.]+%/)?.[0]}`)

    // The detail of the first image: what the network saw, how it was prepared, top 5 for each model, top 3 for the ensemble.
    expect(await page.getByTestId('prediction-detail').getByTestId('prediction-row').count()).toBe(13)
    expect(await page.getByTestId('ensemble-detail').getByTestId('prediction-row').count()).toBe(3)
    expect(await page.getByTestId('preparation-steps').first().textContent()).toMatch(/centre of mass/)

    const height = await page.evaluate(() => document.documentElement.scrollHeight)
    console.log(`Predict page height, 20 images x 2 models at 1280x800: ${height} px`)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'predict-grid-20x2-1280x800.png'), fullPage: true })
    expect(height).toBeLessThan(2 * 800)
    await page.setViewportSize({ width: 1920, height: 1080 })
    const wideHeight = await page.evaluate(() => document.documentElement.scrollHeight)
    console.log(`Predict page height, 20 images x 2 models at 1920x1080: ${wideHeight} px`)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'predict-grid-20x2-1920x1080.png'), fullPage: true })
    expect(wideHeight).toBeLessThan(2 * 1080)
    await page.setViewportSize({ width: 1280, height: 800 })

    // A label typed on a tile counts: clearing one leaves 19 labelled.
    await page.getByTestId('truth-select').first().selectOption('')
    await expect.poll(async () => (await page.getByTestId('model-accuracy').first().textContent()) ?? '').toMatch(/of 19 labelled images/)
  }, 240_000)

  it('the ensemble can be switched off, and is not offered for a single model', async () => {
    await page.getByTestId('ensemble-toggle').uncheck()
    await expect.poll(() => page.getByTestId('ensemble-summary').count()).toBe(0)
    expect(await page.getByTestId('prediction-ensemble').count()).toBe(0)
    await page.getByTestId('ensemble-toggle').check()
    await expect.poll(() => page.getByTestId('ensemble-summary').count()).toBe(1)
    await chooseModels(page, [runIds[0]!])
    await expect.poll(() => page.getByTestId('ensemble-toggle').count()).toBe(0)
    expect(await page.getByTestId('ensemble-summary').count()).toBe(0)
  }, 30_000)

  it('a blank image is flagged, on its tile and in its detail, instead of a silent ranking', async () => {
    await chooseModels(page, [runIds[0]!])
    const white = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } }).png().toBuffer()
    await dropFiles(page, [{ name: 'white.png', bytes: white, type: 'image/png' }])
    await expect.poll(classified, { timeout: 30_000 }).toBe(1)
    expect(await page.getByTestId('prediction-warning').count()).toBe(1)
    expect(await page.getByTestId('blank-warning').textContent()).toMatch(/blank or nearly uniform/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'predict-blank-1280x800.png') })
  }, 60_000)

  it('a chosen folder with one subfolder per class labels its images', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'predict-classes-'))
    const images = (await photographedDigits()).filter((image) => image.kind === 'shadow').slice(0, 4)
    for (const image of images) {
      await mkdir(join(folder, String(image.digit)), { recursive: true })
      await writeFile(join(folder, String(image.digit), `photo-${image.digit}.jpg`), image.bytes)
    }
    await page.getByTestId('folder-input').setInputFiles(folder)
    await expect.poll(classified, { timeout: 60_000 }).toBe(4)
    const truths = await page.getByTestId('truth-select').evaluateAll((selects) => selects.map((s) => (s as HTMLSelectElement).value))
    expect(truths).toEqual(images.map((image) => String(image.digit)))
    expect(await page.getByTestId('model-accuracy').textContent()).toMatch(/of 4 labelled images/)
  }, 90_000)
})
