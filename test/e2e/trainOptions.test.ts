import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { builtUi, useUiSession } from '../helpers/uiSession'
import { screenshotBothSizes } from '../helpers/browser'
import { trainRequestFromFlags, type TrainFlags } from '../../main/cli/trainCommand'
import { resolveRun } from '../../shared/run/resolveRun'
import type { RunSummary } from '../../shared/api/schemas'

const { rendererDir, ready } = builtUi('the Train-view options e2e')

/**
 * The form's optimizer and Advanced options reach run.json exactly as the same flags of `cli train` resolve:
 * one option list (shared/run/trainingOptions) makes both, and the form sends only what was changed.
 */
describe.skipIf(!ready)('Train view: every option of the CLI', () => {
  const session = useUiSession(rendererDir)

  it('shows the preset\u2019s optimizer and schedule, and sends the changed options as the CLI would', async () => {
    const { page, server, workbench } = session()
    await page.goto(server.url)
    await page.getByTestId('nav-train').click()
    await page.getByTestId('arch-select').selectOption('lenet5')
    // LeNet-5's recipe: plain SGD at a constant rate, shown, not hidden.
    await expect.poll(() => page.getByTestId('option-optimizer').locator('option').first().textContent()).toBe('sgd (preset)')
    await page.getByTestId('arch-select').selectOption('lenet-relu')
    await expect.poll(() => page.getByTestId('option-optimizer').locator('option').first().textContent()).toBe('adam (preset)')
    expect(await page.getByTestId('option-lrSchedule').locator('option').first().textContent()).toBe('cosine (preset)')
    await screenshotBothSizes(page, 'train-form-basic')

    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('limit-input').fill('256')
    await page.getByTestId('option-optimizer').selectOption('nesterov')
    await page.getByTestId('option-lrSchedule').selectOption('step')
    await page.getByTestId('advanced-summary').click()
    // The step schedule's own options appear with it.
    await page.getByTestId('option-lrStepEpochs').fill('2')
    expect(await page.getByTestId('option-weightDecay').getAttribute('placeholder')).toBe('0 (preset)')
    await page.getByTestId('option-warmupEpochs').fill('0.5')
    await page.getByTestId('option-weightDecay').fill('0.0005')
    await page.getByTestId('option-gradientClipNorm').fill('5')
    await page.getByTestId('option-validationFraction').fill('0.7')
    await expect.poll(() => page.locator('#option-validationFraction + .field__error').textContent()).toBe('Must be at most 0.5')
    expect(await page.getByTestId('start-button').isDisabled()).toBe(true)
    await page.getByTestId('option-validationFraction').fill('0.1')
    await page.getByTestId('option-earlyStoppingPatience').fill('2')
    await page.getByTestId('option-seed').fill('7')
    await page.getByTestId('option-normalize').selectOption('dataset')
    await page.getByTestId('option-augment-crop').check()
    await expect.poll(() => page.getByTestId('advanced-changed').textContent()).toMatch(/weight decay 0\.0005/)
    await page.getByTestId('advanced-summary').evaluate((summary) => summary.scrollIntoView({ block: 'center' }))
    await screenshotBothSizes(page, 'train-form-advanced')

    await expect.poll(() => page.getByTestId('start-button').isEnabled()).toBe(true)
    await page.getByTestId('start-button').click()
    await expect.poll(async () => (await workbench.store.list()).length, { timeout: 30_000 }).toBe(1)
    const [run] = await workbench.store.list()
    workbench.supervisor.cancel(run!.runId)
    const stored = JSON.parse(await readFile(join(workbench.store.runDir(run!.runId), 'run.json'), 'utf8')) as RunSummary
    const flags = {
      ...{ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, limit: 256, backend: 'auto', optimizer: 'nesterov', schedule: 'step', stepEpochs: 2 },
      ...{ warmup: 0.5, weightDecay: 0.0005, clip: 5, validation: 0.1, patience: 2, seed: 7, normalize: 'dataset' },
      augment: { cropPadding: 4, flip: false, brightness: 0, contrast: 0, pcaNoise: 0 },
    } as unknown as TrainFlags
    expect(stored.config).toEqual(resolveRun(trainRequestFromFlags(flags)))
    expect(stored.config).toMatchObject({ optimizer: 'nesterov', lrSchedule: 'step', lrStepEpochs: 2, warmupEpochs: 0.5, weightDecay: 0.0005 })
    expect(stored.config).toMatchObject({ gradientClipNorm: 5, validationFraction: 0.1, earlyStoppingPatience: 2, seed: 7, normalize: 'dataset' })
  }, 120_000)
})
