import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, screenshotBothSizes } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const screenshots = join(root, 'test-results', 'screenshots')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping compare e2e: ${chromiumAvailable ? 'the renderer is not built (npx electron-vite build)' : 'no chromium at /usr/bin/chromium'}`)


/** Elements whose text is cut off (scrollWidth beyond their box) and not meant to be (no ellipsis). */
function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    for (const element of document.querySelectorAll<HTMLElement>('.content th, .content td, .content button, .content label, .content h2, .content p')) {
      const style = getComputedStyle(element)
      if (style.textOverflow === 'ellipsis' || element.closest('.table-wrap')) continue
      if (element.scrollWidth > element.clientWidth + 1 && style.overflowX !== 'visible') found.push(element.textContent?.trim().slice(0, 60) ?? '')
    }
    return found
  })
}

describe.skipIf(!ready)('Runs and Compare views in Chromium', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
    await mkdir(screenshots, { recursive: true })
  })

  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('sweeps two learning rates from the Train form and compares the runs', async () => {
    await page.goto(server.url)
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('batch-size-input').fill('64')
    await page.getByTestId('learning-rate-input').fill('0.002, 0.004')
    await page.getByTestId('limit-input').fill('1000')
    expect(await page.getByTestId('sweep-help').textContent()).toContain('2 runs')
    expect(await page.getByTestId('start-button').textContent()).toContain('Start 2 runs')
    await screenshotBothSizes(page, 'train-sweep', { fullPage: true })
    await page.getByTestId('start-button').click()

    // The sweep opens Compare with both runs.
    await expect.poll(() => page.evaluate(() => window.location.hash), { timeout: 20_000 }).toBe('#/compare')
    const chips = page.getByTestId('compare-chips').locator('.chip:not(.chip--add)')
    await expect.poll(() => chips.count(), { timeout: 10_000 }).toBe(2)
    await expect
      .poll(async () => (await chips.allTextContents()).filter((text) => text.includes('completed')).length, { timeout: 240_000, interval: 1000 })
      .toBe(2)

    // Curves of both runs are drawn, in both charts, against every x axis.
    for (const axis of ['samples', 'epoch', 'time']) {
      await page.getByTestId('compare-axis').selectOption(axis)
      for (const id of ['compare-loss-chart', 'compare-accuracy-chart']) {
        const chart = page.getByTestId(id)
        await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(4)
        expect(await chart.getAttribute('data-series')).toBe('2')
      }
    }
    await page.getByTestId('compare-axis').selectOption('samples')

    // Only the learning rate differs, and only it is highlighted.
    const diff = page.getByTestId('config-diff')
    await expect.poll(() => diff.locator('tr[data-differs=true]').count()).toBe(1)
    expect(await diff.locator('tr[data-differs=true]').getAttribute('data-field')).toBe('learningRate')
    expect(await diff.locator('tr[data-differs=true]').textContent()).toMatch(/0\.002.*0\.004/)
    await page.getByTestId('diff-show-all').check()
    expect(await diff.locator('tr[data-differs=false]').count()).toBeGreaterThan(5)
    await page.getByTestId('diff-show-all').uncheck()

    expect(await page.getByTestId('final-metrics').textContent()).toMatch(/Test accuracy\s*\d+\.\d+%/)
    await expect.poll(() => page.getByTestId('confusion-matrix').count(), { timeout: 10_000 }).toBe(2)
    expect(await page.getByTestId('per-class').locator('tbody tr').count()).toBe(10)
    // The notes' experiments live on the Lessons page now; Compare points there.
    expect(await page.getByTestId('compare-lessons-link').locator('a[href="#/lessons"]').count()).toBe(1)
    expect(await clippedText(page)).toEqual([])
    await screenshotBothSizes(page, 'compare', { fullPage: true })
  }, 300_000)

  it('renames, tags, sorts, filters and deletes runs in the Runs view', async () => {
    await page.getByTestId('nav-runs').click()
    const rows = page.locator('[data-run-row]')
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2)
    await screenshotBothSizes(page, 'runs', { fullPage: true })

    // Rename and tag the first row.
    const first = rows.first()
    const runId = (await first.getAttribute('data-testid'))!.replace('run-row-', '')
    await first.getByTestId('run-edit').click()
    await page.getByTestId('run-name-input').fill('Fast learner')
    await page.getByTestId('run-tags-input').fill('baseline, lenet')
    await page.getByTestId('run-save').click()
    const row = page.getByTestId(`run-row-${runId}`)
    await expect.poll(() => row.getByTestId('run-name').textContent()).toBe('Fast learner')
    expect(await row.getByTestId('run-tags').textContent()).toMatch(/baseline\s*lenet/)
    const stored = await workbench.store.get(runId)
    expect(stored.name).toBe('Fast learner')
    expect(stored.tags).toEqual(['baseline', 'lenet'])

    // Search by tag, filter by status, sort by name.
    await page.getByTestId('runs-search').fill('baseline')
    await expect.poll(() => rows.count()).toBe(1)
    await page.getByTestId('runs-search').fill('')
    await page.getByTestId('runs-filter-status').selectOption('failed')
    await expect.poll(() => rows.count()).toBe(0)
    expect(await page.getByTestId('runs-empty').textContent()).toContain('No run matches')
    await page.getByTestId('runs-filter-status').selectOption('completed')
    await expect.poll(() => rows.count()).toBe(2)
    await page.getByTestId('sort-name').click()
    await expect.poll(() => rows.first().getByTestId('run-name').textContent()).toBe('Fast learner')
    await page.getByTestId('sort-name').click()
    await expect.poll(() => rows.last().getByTestId('run-name').textContent()).toBe('Fast learner')
    await screenshotBothSizes(page, 'runs-edited', { fullPage: true })

    // Delete asks first; Cancel keeps the run, Delete removes it from the table and the disk.
    await row.getByTestId('run-delete').click()
    await expect.poll(() => page.getByTestId('delete-dialog').isVisible()).toBe(true)
    await screenshotBothSizes(page, 'runs-delete-dialog', { fullPage: true })
    await page.getByTestId('delete-cancel').click()
    expect(await rows.count()).toBe(2)
    await row.getByTestId('run-delete').click()
    await page.getByTestId('delete-confirm').click()
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1)
    expect(existsSync(join(workbench.store.root, 'runs', runId))).toBe(false)

    // Compare drops the deleted run and asks for another.
    await page.getByTestId('nav-compare').click()
    await expect.poll(() => page.getByTestId('compare-empty').isVisible(), { timeout: 10_000 }).toBe(true)
    await screenshotBothSizes(page, 'compare-empty', { fullPage: true })
  }, 120_000)
})
