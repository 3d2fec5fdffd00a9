import { describe, expect, it } from 'vitest'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig } from '../../shared/api/schemas'

async function trainOnce(arch: 'lenet-relu' | 'lenet5', learningRate: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'run-outcome-'))
  const workbench = await createWorkbench({ dataDir, launchWorker: createNodeWorkerLauncher(), mode: 'web' })
  try {
    const config = TrainConfig.parse({ arch, dataset: 'mnist', epochs: 1, batchSize: 64, learningRate, limit: 2000, seed: 1 })
    const run = await workbench.supervisor.start(config)
    return await workbench.supervisor.waitFor(run.runId)!
  } finally {
    workbench.close()
  }
}

// The reproduction: `cli train --epochs 1 --limit 2000 --lr 1e6` on both LeNets.
describe('runs that fail say so, and why', () => {
  it('lenet-relu at lr 1e6: an infinite evaluation loss fails the run with the rate to try (not "interrupted")', async () => {
    const final = await trainOnce('lenet-relu', 1e6)
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/loss became (NaN|Infinity|-Infinity)/)
    expect(final.error).toMatch(/learning rate 1000000/)
    expect(final.error).toMatch(/try 0\.\d+/)
  }, 180_000)

  it('lenet5 at lr 1e6: a run that completes at chance level carries a "did not learn" warning with causes', async () => {
    const final = await trainOnce('lenet5', 1e6)
    // Saturated sigmoids keep every loss finite, so the run completes: its warning is what tells the truth.
    expect(final.status).toBe('completed')
    expect(final.warnings?.[0]).toMatch(/^did not learn: test accuracy \d+\.\d% is at chance level/)
    expect(final.warnings?.[0]).toMatch(/far above the usual range for sgd/)
  }, 180_000)
})
