/**
 * The Runs view's Export action in web mode, where the browser cannot be given a folder: shown, disabled,
 * with the CLI command as its tooltip and as a hint under the table. A fake worker completes the run, so
 * no training happens. The desktop path (folder picker, then runs.export) is covered by useRunExport.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { SCREENSHOT_DIR } from '../helpers/browser'
import { fakeWorkerLauncher } from '../helpers/fakeWorker'
import { builtUi, useUiSession } from '../helpers/uiSession'

const { rendererDir, ready } = builtUi('run export e2e')
const CLI_HINT = 'npm run cli -- export <runId> <folder> --format onnx'

describe.skipIf(!ready)('Export in the Runs view, web mode', () => {
  const fake = fakeWorkerLauncher()
  const session = useUiSession(rendererDir, { launchWorker: fake.launch })

  it('shows Export disabled for a trained run, naming the desktop app and the CLI command', async () => {
    const { page, server } = session()
    await page.goto(server.url)
    await page.getByTestId('arch-select').selectOption('lenet5')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('limit-input').fill('2000')
    await page.getByTestId('start-button').click()
    await expect.poll(() => fake.workers.length, { timeout: 10_000 }).toBe(1)
    const result = { trainLoss: 0.3, trainAccuracy: 0.9, testLoss: 0.3, testAccuracy: 0.91, samplesPerSecond: 500, trainSeconds: 4, params: 61706, confusionMatrix: [[9, 1], [1, 9]] }
    fake.workers[0]!.report({ type: 'completed', stopped: false, result })
    fake.workers[0]!.exit(0, null)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('completed')

    await page.goto(`${server.url}#/runs`)
    const exportButton = page.getByTestId('run-export').first()
    await expect.poll(() => exportButton.isVisible(), { timeout: 10_000 }).toBe(true)
    expect(await exportButton.isDisabled()).toBe(true)
    expect(await exportButton.getAttribute('title')).toMatch(/^Export needs the desktop app, or run: npm run cli -- export [a-z0-9-]+ <folder> --format onnx$/)
    expect(await page.getByTestId('export-web-hint').textContent()).toBe(`Export needs the desktop app; in a terminal: ${CLI_HINT}`)
    // The extra action must not push Delete out of a 1280 px window.
    const deleteBox = await page.getByTestId('run-delete').first().boundingBox()
    expect(deleteBox!.x + deleteBox!.width).toBeLessThanOrEqual(await page.evaluate(() => document.querySelector('.table-wrap')!.getBoundingClientRect().right))
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'runs-export-web-1280x800.png') })
  })

  it('if forced open anyway, the dialog offers the formats and the refusal reads as one line', async () => {
    const { page } = session()
    // Only for the picture: the disabled button is enabled by hand to show the dialog a desktop user sees.
    await page.getByTestId('run-export').first().evaluate((button) => button.removeAttribute('disabled'))
    await page.getByTestId('run-export').first().click()
    const dialog = page.getByTestId('export-dialog')
    await expect.poll(() => dialog.isVisible()).toBe(true)
    expect(await dialog.locator('input[type=radio]').count()).toBe(3)
    await page.getByTestId('export-format-pytorch').click()
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'runs-export-dialog-1280x800.png') })
    await page.getByTestId('export-choose').click()
    await expect.poll(() => dialog.getByTestId('error-notice').textContent()).toMatch(/Could not export/)
    expect((await dialog.getByTestId('error-notice').textContent())!.split('\n').filter((line) => line.trim()).length).toBe(1)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'runs-export-refused-1280x800.png') })
  })
})
