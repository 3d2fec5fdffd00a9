import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, SCREENSHOT_DIR } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import { TrainConfig, type MetricPoint } from '../../shared/api/schemas'
import { completedRunSummary } from '../helpers/storedRuns'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping compare-axes e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

/** Two stored runs, one resumed before wall time carried across a resume (its `t` restarts at 0 in epoch 2). */
async function storeRuns(workbench: Workbench): Promise<string[]> {
  const ids: string[] = []
  for (const [index, learningRate] of [0.02, 0.002].entries()) {
    const runId = workbench.store.newRunId()
    const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 64, learningRate, optimizer: 'adam', lrSchedule: 'cosine', limit: 1000 })
    await workbench.store.save(completedRunSummary(runId, config, index))
    const points: MetricPoint[] = Array.from({ length: 40 }, (_, i) => {
      const samples = (i + 1) * 50
      const resumedRestart = index === 1 && samples > 1000
      return { samples, epoch: samples / 1000, loss: 2.3 * Math.exp(-i / (10 + index * 10)) + (i % 3) * 0.2, accuracy: Math.min(0.95, 0.1 + i * 0.03), t: resumedRestart ? (i - 20) * 0.5 : i * 0.5 }
    })
    const epochs = [1, 2].map((epoch) => ({ epoch, trainLoss: 1, trainAccuracy: 0.8, testLoss: 1 / epoch, testAccuracy: 0.5 + epoch * 0.2, seconds: 10 }))
    await workbench.store.appendMetrics(runId, [...points.map((point) => ({ kind: 'point' as const, point })), ...epochs.map((metrics) => ({ kind: 'epoch' as const, metrics }))])
    ids.push(runId)
  }
  return ids
}

describe.skipIf(!ready)('Compare axes and colours in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
  })
  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('titles the x axis after the chosen axis, names runs readably and smooths like the Train chart', async () => {
    const runIds = await storeRuns(workbench)
    await page.goto(`${server.url}#/compare`)
    // The picker offers the stored runs by their readable names.
    for (const runId of runIds) {
      await expect.poll(() => page.getByTestId('compare-add').locator(`option[value="${runId}"]`).count(), { timeout: 10_000 }).toBe(1)
      expect(await page.getByTestId('compare-add').locator(`option[value="${runId}"]`).textContent()).toMatch(/^\s*lenet-relu · mnist · /)
      await page.getByTestId('compare-add').selectOption(runId)
    }
    const loss = page.getByTestId('compare-loss-chart')
    await expect.poll(() => loss.getAttribute('data-series'), { timeout: 10_000 }).toBe('2')
    expect(await loss.getAttribute('data-x-title')).toBe('Samples seen')
    for (const axis of ['epoch', 'time'] as const) {
      await page.getByTestId('compare-axis').selectOption(axis)
      await expect.poll(() => loss.getAttribute('data-x-title')).toBe(axis === 'epoch' ? 'Epoch' : 'Wall time (s)')
      expect(await page.getByTestId('compare-accuracy-chart').getAttribute('data-x-title')).toBe(axis === 'epoch' ? 'Epoch' : 'Wall time (s)')
    }
    // The chips name the runs by their settings, not by id.
    const chips = await page.getByTestId('compare-chips').locator('.chip__label').allTextContents()
    expect(chips).toEqual(['lenet-relu · mnist · lr 0.02 · 2 epochs · 1000 images', 'lenet-relu · mnist · 2 epochs · 1000 images'])
    await page.getByTestId('compare-smoothing').evaluate((input: HTMLInputElement) => {
      input.value = '0.9'
      input.dispatchEvent(new Event('input', { bubbles: true }))
    })
    await expect.poll(() => page.locator('.smooth-value').textContent()).toBe('0.90')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'compare-wall-time-1280x800.png'), fullPage: true })
  })
})
