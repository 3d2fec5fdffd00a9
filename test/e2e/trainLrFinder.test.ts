import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { builtUi, useUiSession } from '../helpers/uiSession'
import { screenshotBothSizes } from '../helpers/browser'
import type { RunSummary } from '../../shared/api/schemas'

const { rendererDir, ready } = builtUi('the Train-view LR finder e2e')

/** The range test in the Train view: its curve grows, it suggests a rate, "Use this rate" puts it in the form and the next run trains with it. */
describe.skipIf(!ready)('Train view: Find a learning rate', () => {
  const session = useUiSession(rendererDir)

  it('draws the curve, marks the suggestion, and "Use this rate" puts it in the form and in the run', async () => {
    const { page, server, workbench } = session()
    await page.goto(server.url)
    await page.getByTestId('nav-train').click()
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('batch-size-input').fill('64')
    await page.getByTestId('limit-input').fill('2000')
    await page.getByTestId('epochs-input').fill('2')
    const before = await page.getByTestId('learning-rate-input').inputValue()
    await page.getByTestId('lr-find-button').click()
    await expect.poll(() => page.getByTestId('lr-finder').isVisible()).toBe(true)
    expect(await page.getByTestId('lr-finder').textContent()).toMatch(/lenet-relu · mnist · batch 64 · adam · 2000 images/)
    // Points arrive while it runs (the progress line), then the suggestion.
    await expect.poll(() => page.getByTestId('lr-finder-suggestion').count(), { timeout: 180_000, interval: 500 }).toBe(1)
    const chart = page.getByTestId('lr-finder-chart')
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(20)
    const suggested = Number(await chart.getAttribute('data-suggested'))
    expect(suggested).toBeGreaterThan(1e-5)
    expect(suggested).toBeLessThan(10)
    const shown = (await page.getByTestId('lr-finder-suggestion').locator('strong').textContent())!
    expect(Number(shown)).toBeCloseTo(Number(suggested.toPrecision(2)), 12)
    await screenshotBothSizes(page, 'train-lr-finder')

    await page.getByTestId('lr-finder-use').click()
    await expect.poll(() => page.getByTestId('learning-rate-input').inputValue()).toBe(shown)
    expect(shown).not.toBe(before)
    expect(await page.getByTestId('lr-finder-use').textContent()).toMatch(/In the form/)

    await page.getByTestId('start-button').click()
    await expect.poll(async () => (await workbench.store.list()).length, { timeout: 30_000 }).toBe(1)
    const [run] = await workbench.store.list()
    const stored = JSON.parse(await readFile(join(workbench.store.runDir(run!.runId), 'run.json'), 'utf8')) as RunSummary
    expect(stored.config.learningRate).toBe(Number(shown))

    // Cancel & discard asks first; "Keep training" leaves the run alone.
    const status = page.getByTestId('run-status').first()
    await expect.poll(() => page.getByTestId('cancel-button').isVisible(), { timeout: 30_000 }).toBe(true)
    expect(await page.getByTestId('stop-button').textContent()).toMatch(/Stop & evaluate/)
    await page.getByTestId('cancel-button').click()
    await expect.poll(() => page.getByTestId('cancel-dialog').isVisible()).toBe(true)
    await screenshotBothSizes(page, 'train-cancel-confirm')
    await page.getByTestId('cancel-keep').click()
    expect(await page.getByTestId('cancel-dialog').count()).toBe(0)
    expect(await status.textContent()).toMatch(/queued|running/)
    await page.getByTestId('cancel-button').click()
    await page.getByTestId('cancel-confirm').click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('cancelled')
  }, 300_000)
})
