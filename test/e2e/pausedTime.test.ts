import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { screenshotBothSizes } from '../helpers/browser'
import { builtUi, useUiSession } from '../helpers/uiSession'
import type { RunDetail, RunSummary } from '../../shared/api/schemas'

const { rendererDir, ready } = builtUi('the paused-time e2e')

/** Seconds the run is held paused. */
const PAUSE_SECONDS = 4

/**
 * A run paused for 4 s from the Train view: while paused its progress line says so (no speed, no ETA);
 * once it has completed, neither its training time nor its metrics' clock holds the pause (before, the
 * pause showed as a flat 4 s segment on Compare's time axis and was counted in "Training time").
 */
describe.skipIf(!ready)('Train view: paused time is not training time', () => {
  const session = useUiSession(rendererDir)

  it('pauses a run for 4 s; run.json and the API leave the pause out', async () => {
    const { page, server, workbench } = session()
    await page.goto(server.url)
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('batch-size-input').fill('64')
    await page.getByTestId('limit-input').fill('12000')
    const startedAt = Date.now()
    await page.getByTestId('start-button').click()
    const status = page.getByTestId('run-status').first()
    const progressText = page.getByTestId('progress-text')
    // Pause once a tenth is trained (the line shows a speed), well before the end: points on both sides.
    const percentTrained = async () => Number(/^(\d+)% .*samples\/s/.exec((await progressText.textContent()) ?? '')?.[1] ?? 0)
    await expect.poll(percentTrained, { timeout: 90_000, interval: 100 }).toBeGreaterThanOrEqual(10)
    await page.getByTestId('pause-button').click()
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('paused')
    const pausedAt = Date.now()
    const [paused] = await workbench.store.list()
    // The points sent before the pause (a few more, measured before it, may still wait in the worker's throttle).
    const sentBeforePause = ((await workbench.handlers['runs.get']({ runId: paused!.runId })) as RunDetail).points.length
    await expect.poll(() => progressText.textContent(), { timeout: 5_000 }).toMatch(/· paused$/)
    expect(await progressText.textContent()).not.toMatch(/ETA|samples\/s/)
    await screenshotBothSizes(page, 'train-paused-progress')
    await page.waitForTimeout(Math.max(0, PAUSE_SECONDS * 1000 - (Date.now() - pausedAt)))
    await page.getByTestId('resume-button').click()
    await expect.poll(() => status.textContent(), { timeout: 180_000, interval: 250 }).toBe('completed')
    const elapsed = (Date.now() - startedAt) / 1000

    const [run] = await workbench.store.list()
    const stored = JSON.parse(await readFile(join(workbench.store.runDir(run!.runId), 'run.json'), 'utf8')) as RunSummary
    const detail = (await workbench.handlers['runs.get']({ runId: run!.runId })) as RunDetail
    const trainSeconds = stored.result!.trainSeconds
    expect(detail.result!.trainSeconds).toBe(trainSeconds)
    // The run took `elapsed` in all, paused for PAUSE_SECONDS of it: neither its training time nor its
    // clock can hold more than the rest.
    expect(trainSeconds).toBeLessThan(elapsed - PAUSE_SECONDS)
    const times = detail.points.map((point) => point.t!)
    expect(times.every(Number.isFinite)).toBe(true)
    expect(times.at(-1)!).toBeLessThan(elapsed - PAUSE_SECONDS)
    expect(detail.epochs[0]!.seconds).toBeLessThan(elapsed - PAUSE_SECONDS)
    // No flat segment where the run was paused: there consecutive points are a batch apart on the run's clock,
    // not a pause (looked for among the points around the pause, not all: a busy machine can stall any batch).
    const around = times.slice(Math.max(0, sentBeforePause - 1), sentBeforePause + 20)
    expect(around.length).toBeGreaterThan(2)
    const gaps = around.slice(1).map((t, i) => t - around[i]!)
    expect(Math.max(...gaps)).toBeLessThan(PAUSE_SECONDS / 2)
    // Progress and result measure speed alike: samples over training time.
    expect(stored.result!.samplesPerSecond).toBeCloseTo(stored.data!.train / trainSeconds, 0)
  }, 240_000)
})
