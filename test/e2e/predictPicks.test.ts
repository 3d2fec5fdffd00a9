import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { builtUi, useUiSession } from '../helpers/uiSession'
import { connectClient, trainTinyRuns } from '../helpers/webHarness'
import { chooseModels, dropFiles } from '../helpers/uiFiles'
import { SCREENSHOT_DIR, screenshotBothSizes } from '../helpers/browser'
import { fillingDigits, photographedDigits } from '../helpers/photographedDigits'

const { rendererDir, ready } = builtUi('Predict picks e2e')

/** Whether an element's box lies wholly inside the page's viewport, below the app's sticky header. */
async function inViewport(page: Page, testid: string): Promise<boolean> {
  const box = await page.getByTestId(testid).boundingBox()
  const header = await page.locator('header.header').boundingBox()
  const view = page.viewportSize()!
  // Within a pixel: boxes land on fractions of one.
  const top = header ? header.y + header.height : 0
  return !!box && box.y >= top - 1 && box.x >= 0 && box.y + box.height <= view.height + 1 && box.x + box.width <= view.width + 1
}

describe.skipIf(!ready)('a run that did not learn, and Predict that picks well', () => {
  const session = useUiSession(rendererDir)
  let learned: string[] = []
  let stuck = ''

  it('trains two small runs that learn and, last (the newest), LeNet-5 at lr 1e6 that does not', async () => {
    const client = await connectClient(session().server)
    learned = await trainTinyRuns(client, { limit: 1000, timeoutMs: 300_000 })
    const started = await client.call('training.start', { arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 1e6, limit: 256, testLimit: 1000, seed: 1 })
    expect(started.ok, JSON.stringify(started.error)).toBe(true)
    stuck = (started.value as { runId: string }).runId
    await expect.poll(async () => ((await client.call('runs.get', { runId: stuck })).value as { status: string }).status, { timeout: 300_000, interval: 500 }).toBe('completed')
    client.close()
  }, 660_000)

  it('the Runs table shows it as "did not learn" in its own colour; Delete and the rename row fit 1280 px', async () => {
    const { page, server } = session()
    await page.goto(server.url)
    await page.getByTestId('nav-runs').click()
    const pill = page.getByTestId(`run-row-${stuck}`).locator('.pill')
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toBe('did not learn')
    expect(await pill.getAttribute('class')).toMatch(/pill--did-not-learn/)
    expect(await page.getByTestId(`run-row-${learned[0]}`).locator('.pill').textContent()).toBe('completed')
    // A completed run's colour is not the did-not-learn one.
    const colour = (id: string) => page.getByTestId(`run-row-${id}`).locator('.pill').evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(await colour(stuck)).not.toBe(await colour(learned[0]!))
    const remove = page.getByTestId(`run-row-${stuck}`).getByRole('button', { name: 'Delete' })
    expect((await remove.boundingBox())!.x + (await remove.boundingBox())!.width).toBeLessThanOrEqual(1280)
    await screenshotBothSizes(page, 'runs-did-not-learn')
    await page.getByTestId(`run-row-${stuck}`).getByTestId('run-edit').click()
    const name = page.getByTestId('run-name-input')
    // The hint is the name the run goes by while it has none of its own, not its id.
    expect(await name.getAttribute('placeholder')).toMatch(/^lenet5 · mnist · lr 1000000 · /)
    const cancel = page.locator('.edit-row').getByRole('button', { name: 'Cancel' })
    expect((await cancel.boundingBox())!.x + (await cancel.boundingBox())!.width).toBeLessThanOrEqual(1280)
    await screenshotBothSizes(page, 'runs-rename-row')
    await cancel.click()
  }, 60_000)

  it('Predict never pre-selects it (though it is the newest) and marks it in the list', async () => {
    const { page } = session()
    await page.getByTestId('nav-predict').click()
    const choices = page.getByTestId('run-choice')
    await expect.poll(() => choices.count(), { timeout: 10_000 }).toBe(3)
    const checked = async () => (await choices.evaluateAll((rows) => rows.filter((row) => row.querySelector('input')!.checked).map((row) => row.getAttribute('data-run-id'))))
    await expect.poll(checked).toHaveLength(1)
    expect(learned).toContain((await checked())[0])
    const stuckRow = page.locator(`[data-testid=run-choice][data-run-id="${stuck}"]`)
    expect(await stuckRow.getByTestId('run-choice-status').textContent()).toBe('did not learn')
    expect(await stuckRow.getByTestId('run-choice-meta').textContent()).toMatch(/mnist · 28×28 grey · \d+\.\d% ·/)
    await screenshotBothSizes(page, 'predict-models-did-not-learn')
  }, 30_000)

  it('with 50 images, a click on the 40th tile shows its detail in view: the photo as dropped beside what the network saw', async () => {
    const { page } = session()
    const images = [...(await photographedDigits()), ...(await fillingDigits())]
    expect(images).toHaveLength(50)
    await dropFiles(page, images.map((image) => ({ name: image.fileName, bytes: image.bytes, type: image.fileName.endsWith('.png') ? 'image/png' : 'image/jpeg' })))
    await expect.poll(() => page.getByTestId('prediction-top1').count(), { timeout: 180_000 }).toBe(50)
    const tile = page.getByTestId('prediction-image').nth(39)
    const name = await tile.locator('.tile__name').textContent()
    // On its name: the middle of a one-model tile is its true-label picker.
    await tile.locator('.tile__name').click()
    await expect.poll(() => page.getByTestId('prediction-detail').locator('.detail__name').textContent()).toBe(name)
    expect(await inViewport(page, 'predict-detail-card')).toBe(true)
    expect(await page.getByTestId('dropped-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(28)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'predict-50-tile-40-1280x800.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.getByTestId('prediction-image').nth(45).locator('.tile__name').click()
    await expect.poll(() => page.getByTestId('prediction-detail').locator('.detail__name').textContent()).toBe(await page.getByTestId('prediction-image').nth(45).locator('.tile__name').textContent())
    expect(await inViewport(page, 'predict-detail-card')).toBe(true)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'predict-50-tile-46-1920x1080.png') })
    await page.setViewportSize({ width: 1280, height: 800 })
  }, 240_000)

  it('two models that agree: the badge says whether on the right or the wrong answer', async () => {
    const { page } = session()
    await chooseModels(page, learned)
    await expect.poll(() => page.getByTestId('prediction-top1').count(), { timeout: 180_000 }).toBe(100)
    const agreeing = page.getByTestId('prediction-image').filter({ has: page.locator('[data-testid^=models-agree]') }).first()
    const answer = (await agreeing.getByTestId('prediction-top1').first().locator('strong').textContent())!
    await agreeing.getByTestId('truth-select').selectOption(answer)
    await expect.poll(() => agreeing.getByTestId('models-agree-right').count()).toBe(1)
    await agreeing.getByTestId('truth-select').selectOption(answer === '3' ? '8' : '3')
    await expect.poll(() => agreeing.getByTestId('models-agree-wrong').count()).toBe(1)
    expect(await agreeing.getByTestId('models-agree-wrong').textContent()).toMatch(/agree ✗/)
    // Every badge matches its tile: the same answer twice is right only when it is the true label.
    for (const tile of await page.getByTestId('prediction-image').all()) {
      const tops = await tile.getByTestId('prediction-top1').locator('strong').allTextContents()
      const truth = await tile.getByTestId('truth-select').inputValue()
      const expected = tops[0] !== tops[1] ? 'differ' : truth === '' ? 'agree' : tops[0] === truth ? 'agree-right' : 'agree-wrong'
      expect(await tile.getByTestId(`models-${expected}`).count()).toBe(1)
    }
    // Near the top of the grid too: the detail is brought into view.
    await agreeing.locator('.tile__name').click()
    await expect.poll(() => inViewport(page, 'predict-detail-card')).toBe(true)
    await screenshotBothSizes(page, 'predict-two-models-agreement')
  }, 240_000)

  it('Compare\u2019s config diff names settings in words', async () => {
    const { page } = session()
    await page.getByTestId('nav-runs').click()
    for (const id of [learned[0]!, stuck]) await page.getByTestId(`run-row-${id}`).getByTestId('run-check').check()
    await page.getByTestId('compare-selected').click()
    const diff = page.getByTestId('config-diff')
    await expect.poll(() => diff.locator('tr[data-differs=true]').count(), { timeout: 20_000 }).toBeGreaterThan(1)
    const labels = await diff.getByTestId('config-field').allTextContents()
    expect(labels).toContain('learning rate')
    for (const label of labels) expect(label).not.toMatch(/[a-z][A-Z]|\./)
    await screenshotBothSizes(page, 'compare-config-diff', { fullPage: true })
  }, 60_000)
})
