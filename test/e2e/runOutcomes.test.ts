import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, SCREENSHOT_DIR } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import { fakeWorkerLauncher, type FakeWorker } from '../helpers/fakeWorker'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping run-outcome e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

const SKIPPED = [
  { name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed (its libtensorflow download needs internet at install time; see README "Native backends")' },
  { name: 'tensorflow', reason: '@tensorflow/tfjs-node is not installed (its libtensorflow download needs internet at install time; see README "Native backends")' },
]
const CLASSES = Array.from({ length: 10 }, (_, i) => String(i))
/** 10 balanced classes of 1000 test images, `right` of each predicted correctly. */
const confusion = (right: number) => CLASSES.map((_, i) => CLASSES.map((_, j) => (i === j ? right : j === (i + 1) % 10 ? 1000 - right : 0)))

/** What a real worker says while it trains: backend, data, a few batches. */
function reportTraining(worker: FakeWorker, epochs = 1): void {
  worker.report({ type: 'backend', report: { name: 'wasm-blas', skipped: SKIPPED, detail: 'OpenBLAS, 2 threads' }, params: 61706 })
  worker.report({ type: 'dataset', classNames: CLASSES, data: { imageShape: [28, 28, 1], train: 2000, validation: 0, test: 10000, mean: [0.13], std: [0.3], normalized: false, skipped: 0 } })
  const points = Array.from({ length: 10 }, (_, i) => ({ samples: (i + 1) * 200, epoch: (i + 1) / 10, loss: 2.3 + i * 1e5, accuracy: 0.1, learningRate: 1e6, t: i * 0.5 }))
  worker.report({ type: 'progress', epoch: 1, samplesSeen: 2000, totalSamples: 2000 * epochs, samplesPerSecond: 400, etaSeconds: 0, points })
}

describe.skipIf(!ready)('run outcomes in the UI', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page
  const fake = fakeWorkerLauncher()
  /** The worker of the run just started, once the page shows that run as running (so no event outruns the page). */
  const nextWorker = async (count: number) => {
    await expect.poll(() => fake.workers.length, { timeout: 10_000 }).toBe(count)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('running')
    return fake.workers[count - 1]
  }

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir, undefined, { launchWorker: fake.launch }))
    await page.goto(server.url)
  })
  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('hints at a learning rate far outside the usual range, and warns when a completed run did not learn', async () => {
    await page.getByTestId('arch-select').selectOption('lenet5')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('limit-input').fill('2000')
    await page.getByTestId('learning-rate-input').fill('1e6')
    await expect.poll(() => page.getByTestId('learning-rate-hint').textContent()).toMatch(/1000000 is far above the usual range for sgd .*try 0\.1/)
    await page.getByTestId('start-button').click()
    const worker = await nextWorker(1)
    // While the data loads, the card says so instead of "0% · ETA --:--".
    await expect.poll(() => page.getByTestId('progress-text').textContent(), { timeout: 10_000 }).toBe('Loading data…')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-loading-data-1280x800.png') })
    reportTraining(worker)
    worker.report({ type: 'completed', stopped: false, result: { trainLoss: 1.07e7, trainAccuracy: 0.0965, testLoss: 2.58e7, testAccuracy: 0.113, samplesPerSecond: 686, trainSeconds: 6, params: 61706, confusionMatrix: confusion(113) } })
    worker.exit(0, null)
    // Completed at chance level: its own status, not a green "completed".
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('did not learn')
    expect(await page.getByTestId('run-status').getAttribute('class')).toMatch(/pill--did-not-learn/)
    await expect.poll(() => page.getByTestId('run-warning').textContent()).toMatch(/did not learn: test accuracy 11\.3% is at chance level/)
    // It points at the LR finder, which sits in the same view.
    expect(await page.getByTestId('run-warning').textContent()).toMatch(/LR finder \(Find a learning rate, in the Train view\)/)
    expect(await page.getByTestId('warning-lr-find').textContent()).toMatch(/Find a learning rate for this run's settings/)
    // A readable name, not the id; one epoch, not "1 epochs"; the skipped backends folded into one line.
    expect(await page.getByTestId('run-title').textContent()).toBe('lenet5 · mnist · lr 1000000 · 1 epoch · 2000 images')
    expect(await page.getByTestId('header-run-name').textContent()).toBe('lenet5 · mnist · lr 1000000 · 1 epoch · 2000 images')
    expect(await page.locator('.run-head__meta').textContent()).toMatch(/· 1 epoch ·/)
    expect(await page.getByTestId('backend-skipped-summary').textContent()).toMatch(/Backend wasm-blas · 2 faster backends not available/)
    expect(await page.getByTestId('backend-skipped').isVisible()).toBe(false)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-did-not-learn-1280x800.png'), fullPage: true })
    // The Runs table marks it too, the whole warning in its tooltip.
    await page.getByTestId('nav-runs').click()
    await expect.poll(() => page.getByTestId('run-warning-mark').first().textContent(), { timeout: 10_000 }).toMatch(/did not learn/)
    expect(await page.getByTestId('run-warning-mark').first().getAttribute('title')).toMatch(/^did not learn: test accuracy 11\.3%/)
    await page.getByTestId('nav-train').click()
  })

  it('shows why a run failed (a non-finite loss names the rate to try)', async () => {
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('learning-rate-input').fill('1e6')
    await page.getByTestId('start-button').click()
    const worker = await nextWorker(2)
    reportTraining(worker)
    const error = 'the test loss became Infinity after epoch 1 at learning rate 1000000 (158 at that point of the schedule); the rate is probably too high for adam — try 0.001'
    worker.report({ type: 'failed', error })
    worker.exit(0, null)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('failed')
    expect(await page.getByTestId('run-error').textContent()).toBe(error)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-failed-nonfinite-1280x800.png') })
  })

  it('Stop & evaluate ends "stopped" with a result; Cancel & discard ends "cancelled" without one', async () => {
    await page.getByTestId('learning-rate-input').fill('0.002')
    await page.getByTestId('epochs-input').fill('3')
    await page.getByTestId('start-button').click()
    const stopped = await nextWorker(3)
    reportTraining(stopped, 3)
    await expect.poll(() => page.getByTestId('stop-button').isEnabled()).toBe(true)
    expect(await page.getByTestId('stop-button').textContent()).toMatch(/Stop & evaluate/)
    await page.getByTestId('stop-button').click()
    await expect.poll(() => stopped.received).toContainEqual({ type: 'stop' })
    stopped.report({ type: 'completed', stopped: true, result: { trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.5, testAccuracy: 0.82, samplesPerSecond: 400, trainSeconds: 5, params: 61706, confusionMatrix: confusion(820) } })
    stopped.exit(0, null)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('stopped')
    expect(await page.getByTestId('run-outcome').textContent()).toMatch(/stopped early by the user; the model as it was then was evaluated and saved/)
    expect(await page.getByTestId('test-accuracy').textContent()).toMatch(/82/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-stopped-1280x800.png') })

    await page.getByTestId('start-button').click()
    const cancelled = await nextWorker(4)
    reportTraining(cancelled, 3)
    await expect.poll(() => page.getByTestId('cancel-button').textContent()).toMatch(/Cancel & discard/)
    await page.getByTestId('cancel-button').click()
    await page.getByTestId('cancel-confirm').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('cancelled')
    expect(await page.getByTestId('run-outcome').textContent()).toMatch(/unfinished epoch was discarded/)
    expect(await page.getByTestId('test-accuracy').count()).toBe(0)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run-cancelled-1280x800.png') })
  })

  it('disables Start for a run the memory estimate says cannot fit, naming the batch size that fits', async () => {
    await page.getByTestId('arch-select').selectOption('vgg16')
    await expect.poll(() => page.getByTestId('start-reason').textContent()).toMatch(/^Batch \d+ needs about [\d.]+ GiB, more than the 3\.50 GiB a run may use of the wasm backends' 4 GiB heap: batch \d+ or less fits$/)
    expect(await page.getByTestId('start-button').isDisabled()).toBe(true)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'train-start-blocked-memory-1280x800.png') })
    const fits = (await page.getByTestId('start-reason').textContent())!.match(/batch (\d+) or less fits/)![1]!
    await page.getByTestId('batch-size-input').fill(fits)
    await expect.poll(() => page.getByTestId('start-button').isEnabled()).toBe(true)
    await page.getByTestId('arch-select').selectOption('lenet-relu')
  })

  it('Data view augmentation is a preview until used; then the next run trains with it (no flip for digits)', async () => {
    await page.getByTestId('nav-data').click()
    await expect.poll(() => page.getByTestId('augment-status').textContent(), { timeout: 20_000 }).toMatch(/A preview: training uses no augmentation until you choose these/)
    expect(await page.getByTestId('augment-flip').isChecked()).toBe(false)
    await expect.poll(() => page.getByTestId('data-augmented-grid').locator('canvas').count(), { timeout: 20_000 }).toBeGreaterThan(0)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'data-augmentation-preview-1280x800.png'), fullPage: true })
    await page.getByTestId('augment-use').click()
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/train')
    expect(await page.getByTestId('train-augment').textContent()).toMatch(/Augmentation: crop \+ pad 4 px, brightness\/contrast ±0\.25 \(shared with the Data view\)/)
    await page.getByTestId('start-button').click()
    const worker = await nextWorker(5)
    const start = worker.received[0] as { type: string; config: { augment?: unknown } }
    expect(start.config.augment).toEqual({ cropPadding: 4, flip: false, brightness: 0.25, contrast: 0.25, pcaNoise: 0 })
    await page.getByTestId('cancel-button').click()
    await page.getByTestId('cancel-confirm').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('cancelled')
    await page.getByTestId('train-augment-remove').click()
    expect(await page.getByTestId('train-augment').textContent()).toMatch(/Augmentation: none/)
  })
})
