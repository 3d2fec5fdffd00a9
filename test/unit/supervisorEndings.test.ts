import { describe, expect, it } from 'vitest'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench } from '../../main/services/workbench'
import { TrainConfig } from '../../shared/api/schemas'
import { fakeWorkerLauncher } from '../helpers/fakeWorker'

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.05, backend: 'wasm' })
const result = { trainLoss: 1, trainAccuracy: 0.9, testLoss: 1, testAccuracy: 0.9, samplesPerSecond: 1, trainSeconds: 1, params: 1 }

async function setup() {
  const workers = fakeWorkerLauncher()
  const workbench = await createWorkbench({ dataDir: await mkdtemp(join(tmpdir(), 'endings-')), launchWorker: workers.launch, mode: 'web' })
  const { runId } = await workbench.supervisor.start(config)
  return { worker: workers.workers[0], workbench, runId, done: workbench.supervisor.waitFor(runId)! }
}

describe('how a run ends', () => {
  it('a final report that cannot be stored (an Infinity loss) fails the run with the reason, not "interrupted"', async () => {
    const { worker, workbench, done } = await setup()
    worker.report({ type: 'completed', stopped: false, result: { ...result, testLoss: Infinity } })
    worker.exit(0, null)
    const final = await done
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/cannot be stored .*testLoss/)
    workbench.close()
  })

  it('a completed run at chance level keeps its "did not learn" warning; one above chance has none', async () => {
    const chance = await setup()
    chance.worker.report({ type: 'completed', stopped: false, result: { ...result, testAccuracy: 0.1 } })
    chance.worker.exit(0, null)
    expect((await chance.done).warnings?.[0]).toMatch(/^did not learn/)
    expect((await chance.workbench.store.get(chance.runId)).warnings?.[0]).toMatch(/^did not learn/)
    chance.workbench.close()

    const learned = await setup()
    learned.worker.report({ type: 'completed', stopped: false, result })
    learned.worker.exit(0, null)
    expect((await learned.done).warnings).toBeUndefined()
    learned.workbench.close()
  })
})
