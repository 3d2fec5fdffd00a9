import { describe, expect, it } from 'vitest'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from 'playwright-core'
import { builtUi, useUiSession } from '../helpers/uiSession'
import { TrainConfig, type MetricPoint } from '../../shared/api/schemas'
import { completedRunSummary } from '../helpers/storedRuns'
import type { Workbench } from '../../main/services/workbench'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/repoRoot'

const { rendererDir, ready } = builtUi('the accessibility e2e')

/** Every view's id, read from the registry's source (importing it would import every view's components). */
const VIEW_IDS = [...readFileSync(join(REPO_ROOT, 'renderer', 'src', 'views', 'viewRegistry.ts'), 'utf8').matchAll(/\{ id: '([a-z]+)'/g)].map((match) => match[1]!)

/** axe's impacts that fail the test; minor and moderate ones are printed but let through. */
const FAILING = new Set(['serious', 'critical'])

interface Found {
  where: string
  rule: string
  impact: string
  help: string
  targets: string[]
}

/** Runs axe on the page as it is now; the serious and critical violations, each with where it was found. */
async function audit(page: Page, where: string): Promise<Found[]> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations
    .filter((violation) => FAILING.has(violation.impact ?? ''))
    .map((violation) => ({
      where,
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')}${node.failureSummary ? ` (${node.failureSummary.replace(/\s+/g, ' ').slice(0, 160)})` : ''}`),
    }))
}

function report(found: Found[]): string {
  return found.map((f) => `${f.where}: ${f.impact} ${f.rule}: ${f.help}\n    ${f.targets.join('\n    ')}`).join('\n')
}

/** Two completed runs, so that Runs, Compare, Predict and Inspect show their tables and charts, not only empty states. */
async function storeRuns(workbench: Workbench): Promise<void> {
  for (const [index, learningRate] of [0.02, 0.002].entries()) {
    const runId = workbench.store.newRunId()
    const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 64, learningRate, limit: 1000 })
    await workbench.store.save(completedRunSummary(runId, config, index))
    const points: MetricPoint[] = Array.from({ length: 40 }, (_, i) => ({ samples: (i + 1) * 50, epoch: ((i + 1) * 50) / 1000, loss: 2.3 * Math.exp(-i / 10), accuracy: Math.min(0.95, 0.1 + i * 0.03), t: i * 0.5 }))
    const epochs = [1, 2].map((epoch) => ({ epoch, trainLoss: 1, trainAccuracy: 0.8, testLoss: 1 / epoch, testAccuracy: 0.5 + epoch * 0.2, seconds: 10 }))
    await workbench.store.appendMetrics(runId, [...points.map((point) => ({ kind: 'point' as const, point })), ...epochs.map((metrics) => ({ kind: 'epoch' as const, metrics }))])
  }
}

/**
 * axe-core on every view and every dialog at 1280x800: no serious or critical violation (the navigation
 * hints' contrast, Predict's drop zone nesting a button and naming itself without its visible text were).
 */
describe.skipIf(!ready)('accessibility: axe-core on every view and dialog', () => {
  const session = useUiSession(rendererDir)

  it('finds no serious or critical violation', async () => {
    const { browser, server, workbench } = session()
    // axe opens a page of its own beside this one: that needs a context of our making, not newPage()'s.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await storeRuns(workbench)
    expect(VIEW_IDS).toEqual(['lessons', 'models', 'data', 'train', 'runs', 'compare', 'predict', 'inspect', 'system'])
    const found: Found[] = []
    await page.goto(server.url)
    for (const view of VIEW_IDS) {
      await page.getByTestId(`nav-${view}`).click()
      await expect.poll(() => page.evaluate(() => window.location.hash)).toBe(`#/${view}`)
      // Let the view load what it shows (lists, charts, the system report).
      await page.waitForLoadState('networkidle')
      await page.waitForTimeout(1500)
      found.push(...(await audit(page, `view ${view}`)))
    }

    // Compare with two runs: its charts and tables.
    await page.getByTestId('nav-runs').click()
    const checks = page.getByTestId('run-check')
    await expect.poll(() => checks.count(), { timeout: 10_000 }).toBe(2)
    await checks.nth(0).check()
    await checks.nth(1).check()
    await page.getByTestId('nav-compare').click()
    await expect.poll(() => page.getByTestId('compare-loss-chart').count(), { timeout: 10_000 }).toBe(1)
    found.push(...(await audit(page, 'view compare, two runs')))

    // The dialogs: keyboard shortcuts, export (web mode disables its button: enabled here to open it), delete.
    await page.getByTestId('shortcuts-button').click()
    await expect.poll(() => page.getByTestId('shortcuts-help').isVisible()).toBe(true)
    found.push(...(await audit(page, 'dialog shortcuts help')))
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('shortcuts-help').count()).toBe(0)

    await page.getByTestId('nav-runs').click()
    await page.getByTestId('run-export').first().evaluate((button) => button.removeAttribute('disabled'))
    await page.getByTestId('run-export').first().click()
    await expect.poll(() => page.getByTestId('export-dialog').isVisible()).toBe(true)
    found.push(...(await audit(page, 'dialog export')))
    await page.getByTestId('export-close').click()

    await page.getByTestId('run-delete').first().click()
    await expect.poll(() => page.getByTestId('delete-dialog').isVisible()).toBe(true)
    found.push(...(await audit(page, 'dialog delete (ModalDialog)')))

    await context.close()
    if (found.length) console.log(`axe found ${found.length} serious or critical violations:\n${report(found)}`)
    expect(report(found)).toBe('')
  }, 240_000)
})
