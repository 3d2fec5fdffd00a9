import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable } from '../helpers/browser'
import { closeUiSession, openUiSession } from '../helpers/uiSession'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'
import { trainRequestFromFlags, type TrainFlags } from '../../main/cli/cli'
import { resolveRun } from '../../shared/run/resolveRun'
import type { RunSummary } from '../../shared/api/schemas'

const root = join(import.meta.dirname, '..', '..')
const rendererDir = join(root, 'out', 'renderer')
const ready = chromiumAvailable && existsSync(join(rendererDir, 'index.html'))
if (!ready) console.log(`skipping the Train-view preset e2e: ${chromiumAvailable ? 'the renderer is not built (npm run build)' : 'no chromium at /usr/bin/chromium'}`)

/**
 * The CPU preset started from the Train view stores the same settings as `cli train --preset cpu`: before
 * resolveRun, the form sent no optimizer and AlexNet's "CPU" run silently trained with the notes' plain SGD.
 */
describe.skipIf(!ready)('Train view: a preset resolves as on the CLI', () => {
  let server: RunningWebServer
  let workbench: Workbench
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;({ server, workbench, browser, page } = await openUiSession(rendererDir))
  })
  afterAll(() => closeUiSession({ browser, workbench, server }))

  it('AlexNet with the CPU preset: run.json equals the CLI\u2019s resolution, momentum included', async () => {
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
