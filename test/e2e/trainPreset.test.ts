import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { builtUi, useUiSession } from '../helpers/uiSession'
import { trainRequestFromFlags, type TrainFlags } from '../../main/cli/trainCommand'
import { resolveRun } from '../../shared/run/resolveRun'
import type { RunSummary } from '../../shared/api/schemas'

const { rendererDir, ready } = builtUi('the Train-view preset e2e')

/**
 * The CPU preset started from the Train view stores the same settings as `cli train --preset cpu`: before
 * resolveRun, the form sent no optimizer and AlexNet's "CPU" run silently trained with the notes' plain SGD.
 */
describe.skipIf(!ready)('Train view: a preset resolves as on the CLI', () => {
  const session = useUiSession(rendererDir)

  it('AlexNet with the CPU preset: run.json equals the CLI\u2019s resolution, momentum included', async () => {
    const { page, server, workbench } = session()
    await page.goto(server.url)
    await page.getByTestId('arch-select').selectOption('alexnet')
    await page.getByTestId('preset-select').selectOption('cpu')
    await page.getByTestId('epochs-input').fill('1')
    await page.getByTestId('limit-input').fill('256')
    await page.getByTestId('start-button').click()

    await expect.poll(async () => (await workbench.store.list()).length, { timeout: 30_000 }).toBe(1)
    const [run] = await workbench.store.list()
    workbench.supervisor.cancel(run!.runId)
    const stored = JSON.parse(await readFile(join(workbench.store.runDir(run!.runId), 'run.json'), 'utf8')) as RunSummary
    const flags = { arch: 'alexnet', dataset: 'mnist', preset: 'cpu', epochs: 1, limit: 256, backend: 'auto', seed: 1 } as TrainFlags
    expect(stored.config.optimizer).toBe('momentum')
    expect(stored.config).toEqual(resolveRun(trainRequestFromFlags(flags)))
  })
})
