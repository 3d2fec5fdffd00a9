import { describe, expect, it } from 'vitest'
import { screenshotBothSizes } from '../helpers/browser'
import { builtUi, useUiSession } from '../helpers/uiSession'
import { TrainConfig, type EpochMetrics, type MetricPoint } from '../../shared/api/schemas'
import { completedRunSummary } from '../helpers/storedRuns'
import type { Workbench } from '../../main/services/workbench'

const { rendererDir, ready } = builtUi('the readable-charts e2e')

interface StoredRun {
  name?: string
  epochs: number
  images: number
  /** The loss at a fraction 0..1 of the run. */
  loss: (at: number) => number
  accuracy: (at: number) => number
}

/** A completed run stored with a point every 250 samples and an epoch record per epoch. */
async function storeRun(workbench: Workbench, run: StoredRun, index: number): Promise<string> {
  const runId = workbench.store.newRunId()
  const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: run.epochs, batchSize: 50, learningRate: 0.01, limit: run.images })
  const total = run.epochs * run.images
  const result = { trainLoss: run.loss(1), trainAccuracy: run.accuracy(1), testLoss: run.loss(1), testAccuracy: run.accuracy(1), samplesPerSecond: 900, trainSeconds: total / 900 }
  await workbench.store.save(completedRunSummary(runId, config, index, { result, name: run.name }))
  const points: MetricPoint[] = []
  for (let samples = 250; samples <= total; samples += 250) {
    const at = samples / total
    points.push({ samples, epoch: samples / run.images, loss: run.loss(at), accuracy: run.accuracy(at), t: samples / 900 })
  }
  const epochs: EpochMetrics[] = Array.from({ length: run.epochs }, (_, i) => {
    const at = (i + 1) / run.epochs
    return { epoch: i + 1, trainLoss: run.loss(at), trainAccuracy: run.accuracy(at), testLoss: run.loss(at) * 1.1, testAccuracy: run.accuracy(at) * 0.97, seconds: run.images / 900 }
  })
  await workbench.store.appendMetrics(runId, [...points.map((point) => ({ kind: 'point' as const, point })), ...epochs.map((metrics) => ({ kind: 'epoch' as const, metrics }))])
  return runId
}

/**
 * A diverged run (its loss 2.3 to 2e36, 4,000 samples) beside a normal one fifteen times longer with a long
 * name: both Compare charts keep both runs readable (log axes where a linear one squeezed them) and the
 * Train chart shows the diverged run's loss on a log axis.
 */
describe.skipIf(!ready)('charts stay readable with a diverged run and runs of different lengths', () => {
  const session = useUiSession(rendererDir)

  it('Compare and Train turn the axes logarithmic that would squeeze a run', async () => {
    const { page, server, workbench } = session()
    const normal = await storeRun(
      workbench,
      {
        name: 'lenet-relu · fashion-mnist · adam · cosine schedule · warm-up 1 epoch · weight decay 0.0005 · 4 epochs · 15000 images',
        epochs: 4,
        images: 15_000,
        loss: (at) => 0.3 + 2 * Math.exp(-6 * at) + 0.05 * Math.sin(at * 200),
        accuracy: (at) => Math.min(0.97, 0.1 + 0.85 * (1 - Math.exp(-6 * at))),
      },
      0,
    )
    const diverged = await storeRun(workbench, { epochs: 2, images: 2_000, loss: (at) => 2.3 * 10 ** (36 * at ** 2), accuracy: () => 0.098 }, 1)

    await page.goto(`${server.url}#/compare`)
    for (const runId of [normal, diverged]) {
      await expect.poll(() => page.getByTestId('compare-add').locator(`option[value="${runId}"]`).count(), { timeout: 10_000 }).toBe(1)
      await page.getByTestId('compare-add').selectOption(runId)
    }
    const loss = page.getByTestId('compare-loss-chart')
    const accuracy = page.getByTestId('compare-accuracy-chart')
    await expect.poll(() => loss.getAttribute('data-series'), { timeout: 10_000 }).toBe('2')
    await expect.poll(() => loss.getAttribute('data-x-scale'), { timeout: 10_000 }).toBe('logarithmic')
    await expect.poll(() => loss.getAttribute('data-y-scale'), { timeout: 10_000 }).toBe('logarithmic')
    await expect.poll(() => loss.getAttribute('data-x-title'), { timeout: 10_000 }).toBe('Samples seen (log scale)')
    await expect.poll(() => accuracy.getAttribute('data-x-scale'), { timeout: 10_000 }).toBe('logarithmic')
    await expect.poll(() => accuracy.getAttribute('data-y-scale'), { timeout: 10_000 }).toBe('linear')
    await page.locator('.charts').scrollIntoViewIfNeeded()
    await screenshotBothSizes(page, 'compare-diverged-and-normal')
    // On the epoch axis the lengths differ less (2 against 4 epochs): linear.
    await page.getByTestId('compare-axis').selectOption('epoch')
    await expect.poll(() => loss.getAttribute('data-x-scale')).toBe('linear')
    await expect.poll(() => loss.getAttribute('data-y-scale'), { timeout: 10_000 }).toBe('logarithmic')
    await screenshotBothSizes(page, 'compare-diverged-by-epoch')

    for (const [runId, scale] of [
      [diverged, 'logarithmic'],
      [normal, 'linear'],
    ] as const) {
      await page.evaluate((id) => window.localStorage.setItem('cnn-workbench:currentRunId', JSON.stringify(id)), runId)
      await page.goto(`${server.url}#/train`)
      await page.reload()
      const chart = page.getByTestId('metrics-chart')
      await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).not.toBe('0')
      await expect.poll(() => chart.getAttribute('data-loss-scale')).toBe(scale)
      await screenshotBothSizes(page, `train-chart-${scale === 'linear' ? 'normal' : 'diverged'}`)
    }
  }, 120_000)
})
