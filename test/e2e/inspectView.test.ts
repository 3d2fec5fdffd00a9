import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Browser, Page } from 'playwright-core'
import { connectClient, startTestServer, trainTinyRuns } from '../helpers/webHarness'
import { digitPng, dropFiles, chooseModels } from '../helpers/uiFiles'
import { chromiumAvailable, launchChromium } from '../helpers/browser'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping Inspect e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

describe.skipIf(!ready)('Inspect and Predict views in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page
  let client: Awaited<ReturnType<typeof connectClient>>
  const runIds: string[] = []

  beforeAll(async () => {
    ;({ server, workbench } = await startTestServer(rendererDir))
    client = await connectClient(server)
    // Two tiny completed runs: Inspect needs one, Predict compares two.
    runIds.push(...(await trainTinyRuns(client, { limit: 1000 })))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.on('pageerror', (error) => console.error('page error:', error.message))
    await mkdir(screenshots, { recursive: true })
  }, 240_000)

  afterAll(async () => {
    client?.close()
    await browser?.close()
    workbench?.close()
    await server?.close()
  })

  it('opens Inspect, drops an image and draws feature maps, filters, histograms and the overlay', async () => {
    await page.goto(server.url)
    await page.getByTestId('nav-inspect').click()
    await page.screenshot({ path: join(screenshots, 'inspect-empty-1280x800.png') })
    const select = page.getByTestId('inspect-run-select')
    await expect.poll(async () => select.locator('option').count(), { timeout: 10_000 }).toBe(2)
    await dropFiles(page, [{ name: 'one.png', bytes: await digitPng(), type: 'image/png' }])
    const maps = page.getByTestId('feature-map')
    await expect.poll(() => maps.count(), { timeout: 30_000 }).toBeGreaterThan(0)
    // LeNet: two convolutions (6 and 16 channels), every channel shown.
    expect(await page.getByTestId('feature-map-layer').count()).toBe(2)
    expect(await maps.count()).toBe(6 + 16)
    expect(await page.getByTestId('filter-image').count()).toBe(6)
    expect(await page.getByTestId('activation-histogram').count()).toBeGreaterThan(3)
    expect(await page.getByTestId('prediction-row').count()).toBe(5)
    // The maps are drawn, not blank: some pixel of the first conv's maps is neither black nor missing.
    const lit = await maps.evaluateAll((canvases) =>
      canvases.some((canvas) => {
        const c = canvas as HTMLCanvasElement
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
        for (let i = 0; i < data.length; i += 4) if (data[i]! > 0) return true
        return false
      }),
    )
    expect(lit).toBe(true)
    expect(await page.getByTestId('receptive-field-text').textContent()).toMatch(/sees a \d+×\d+ window/)
    // The answer (overlay, "why", top 5) is above the fold at both sizes.
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height })
      const answer = (await page.getByTestId('inspect-answer').boundingBox())!
      expect(answer.y + answer.height, `answer bottom at ${width}x${height}`).toBeLessThanOrEqual(height)
      await page.screenshot({ path: join(screenshots, `inspect-above-fold-${width}x${height}.png`) })
    }
    await page.setViewportSize({ width: 1280, height: 800 })
    // Histograms say what a layer does, not the tfjs class behind it.
    const histogramText = (await page.getByTestId('activation-histogram').allTextContents()).join(' ')
    expect(histogramText).not.toMatch(/InputConv2D|Conv2D|MaxPooling2D/)
    expect(histogramText).toMatch(/conv 5x5/)
    // Clicking a unit of the first convolution picks it: LeNet's conv1 sees 5x5; it is outlined on that map only.
    await maps.first().click({ position: { x: 2, y: 2 } })
    expect(await page.getByTestId('receptive-field-text').textContent()).toMatch(/Unit \(0, 0\) sees a 5×5 window/)
    expect(await page.getByTestId('unit-marker').count()).toBe(1)
    const marker = (await page.getByTestId('unit-marker').boundingBox())!
    const firstMap = (await maps.first().boundingBox())!
    expect(marker.x).toBeLessThan(firstMap.x + 6)
    expect(marker.y).toBeLessThan(firstMap.y + 6)
    await page.screenshot({ path: join(screenshots, 'inspect-1280x800.png'), fullPage: true })
    // Grad-CAM instead of the occlusion map: the overlay changes the drawn input, and the help names the layer.
    const input = page.getByTestId('inspect-input')
    const drawn = () => input.evaluate((c) => (c as HTMLCanvasElement).toDataURL())
    const withOcclusion = await drawn()
    await page.getByTestId('overlay-select').selectOption('grad-cam')
    expect(await page.getByTestId('overlay-help').textContent()).toMatch(/Red: where pool2 \(\d+×\d+\) has features/)
    await expect.poll(drawn).not.toBe(withOcclusion)
    await page.screenshot({ path: join(screenshots, 'inspect-grad-cam-1280x800.png'), fullPage: true })
    await page.getByTestId('overlay-select').selectOption('occlusion')
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(screenshots, 'inspect-1920x1080.png'), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 800 })
  }, 90_000)

  it('predicts several images with two models side by side, agreement marked', async () => {
    await page.getByTestId('nav-predict').click()
    const runSelect = page.getByTestId('run-select')
    await expect.poll(async () => runSelect.getByTestId('run-choice').count(), { timeout: 10_000 }).toBe(2)
    await chooseModels(page, runIds)
    const digit = await digitPng()
    await dropFiles(page, [
      { name: 'one.png', bytes: digit, type: 'image/png' },
      { name: 'one-again.png', bytes: digit, type: 'image/png' },
    ])
    // 2 images x 2 models on the tiles, each with the ensemble's row; the first image's top 5 of both models
    // in the detail, and the ensemble's (their averaged probabilities) top 3.
    await expect.poll(() => page.getByTestId('prediction-top1').count(), { timeout: 30_000 }).toBe(4)
    await expect.poll(() => page.getByTestId('ensemble-top1').count(), { timeout: 30_000 }).toBe(2)
    await expect.poll(() => page.getByTestId('prediction-row').count(), { timeout: 30_000 }).toBe(5 + 5 + 3)
    expect(await page.getByTestId('prediction-image').count()).toBe(2)
    expect(await page.getByTestId('preview-canvas').count()).toBe(4 + 2)
    expect(await page.locator('[data-testid^=models-]').count()).toBe(2)
    await page.screenshot({ path: join(screenshots, 'predict-two-models-1280x800.png'), fullPage: true })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(screenshots, 'predict-two-models-1920x1080.png'), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 800 })
  }, 60_000)

  it('stays responsive while a run trains: input-to-paint latency and main event-loop lag', async () => {
    await page.getByTestId('nav-train').click()
    // Started from the form with Ctrl+Enter, so the Train view's chart follows it live.
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('epochs-input').fill('3')
    await page.getByTestId('batch-size-input').fill('64')
    await page.getByTestId('learning-rate-input').fill('0.05')
    await page.getByTestId('limit-input').fill('20000')
    await page.keyboard.press('Control+Enter')
    await expect.poll(async () => ((await client.call('runs.list', {})).value as { status: string }[]).some((r) => r.status === 'running'), { timeout: 30_000 }).toBe(true)
    const runId = ((await client.call('runs.list', {})).value as { runId: string; status: string }[]).find((r) => r.status === 'running')!.runId
    // Let the first batches arrive so the chart is live while we measure (waited for, not timed: a loaded
    // machine takes longer to load the data).
    await expect.poll(async () => Number(await page.getByTestId('metrics-chart').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(0)

    // The histogram records the interval between the sampling timer's wake-ups, so lag = value - resolution.
    const resolution = 10
    const loop = monitorEventLoopDelay({ resolution })
    loop.enable()
    await page.evaluate(() => {
      const w = window as unknown as { __latencies: number[] }
      w.__latencies = []
      window.addEventListener('keydown', (event) => {
        if (event.key !== '?') return
        const t0 = event.timeStamp
        // The handler (and Vue's DOM update, a microtask) ran before this frame's callbacks; the
        // frame that paints the change starts here.
        requestAnimationFrame(() => w.__latencies.push(performance.now() - t0))
      })
    })
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('?')
      await new Promise((resolve) => setTimeout(resolve, 120))
    }
    loop.disable()
    const latencies = await page.evaluate(() => (window as unknown as { __latencies: number[] }).__latencies)
    const stillTraining = (await client.call('runs.get', { runId })).value as { status: string }
    await client.call('training.cancel', { runId })

    const lag = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - resolution)
    const lagP99 = lag(loop.percentile(99))
    const report = {
      samples: latencies.length,
      inputToPaintMs: { p50: +percentile(latencies, 50).toFixed(1), p95: +percentile(latencies, 95).toFixed(1), max: +Math.max(...latencies).toFixed(1) },
      eventLoopLagMs: { p50: +lag(loop.percentile(50)).toFixed(1), p99: +lagP99.toFixed(1), max: +lag(loop.max).toFixed(1) },
      trainingDuringMeasurement: stillTraining.status,
    }
    console.log('responsiveness while training:', JSON.stringify(report))
    await writeFile(join(root, 'test-results', 'responsiveness.json'), JSON.stringify(report, null, 2))
    // The chart's CSV export holds every raw point (data-points), not the downsampled view.
    const chart = page.getByTestId('metrics-chart')
    await page.getByTestId('chart-smoothing').fill('0.9')
    const held = Number(await chart.getAttribute('data-points'))
    expect(held).toBeGreaterThan(0)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-export-csv').click()])
    const csv = await readFile((await download.path())!, 'utf8')
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe('samples,epoch,loss,accuracy,learningRate,seconds')
    expect(lines.length - 1).toBeGreaterThanOrEqual(held)
    await page.screenshot({ path: join(screenshots, 'train-smoothed-1280x800.png') })

    expect(latencies.length).toBe(30)
    expect(stillTraining.status).toBe('running')
    // Generous bounds (the targets are 100 ms and 20 ms); the numbers themselves are reported above.
    expect(percentile(latencies, 95)).toBeLessThan(250)
    expect(lagP99).toBeLessThan(100)
  }, 90_000)
})
