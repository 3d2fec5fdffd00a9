import { describe, expect, it } from 'vitest'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench } from '../../../main/services/workbench'
import { writeFile } from 'node:fs/promises'
import { RUN_STATUS_INFO, RunStatus, TrainConfig } from '../../../shared/api/schemas'
import { fakeWorkerLauncher } from '../../helpers/fakeWorker'

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

  it('Stop ends "stopped" with the evaluated model; Cancel ends "cancelled" without one, resumable', async () => {
    const stopped = await setup()
    expect(stopped.workbench.supervisor.stop(stopped.runId)).toBe(true)
    expect(stopped.worker.received).toContainEqual({ type: 'stop' })
    stopped.worker.report({ type: 'completed', stopped: true, result: { ...result, testAccuracy: 0.1 } })
    stopped.worker.exit(0, null)
    const afterStop = await stopped.done
    // Stopped early: expected to be near chance, so no "did not learn" warning.
    expect(afterStop).toMatchObject({ status: 'stopped', result: { testAccuracy: 0.1 } })
    expect(afterStop.warnings).toBeUndefined()
    stopped.workbench.close()

    const cancelled = await setup()
    expect(cancelled.workbench.supervisor.cancel(cancelled.runId)).toBe(true)
    const afterCancel = await cancelled.done
    expect(afterCancel.status).toBe('cancelled')
    expect(afterCancel.result).toBeUndefined()
    expect(RUN_STATUS_INFO.cancelled).toMatchObject({ hasModel: false, resumable: true })
    expect(RUN_STATUS_INFO.stopped).toMatchObject({ hasModel: true, resumable: true })
    cancelled.workbench.close()
  })

  it('every status is described once, in shared/', () => {
    for (const status of RunStatus.options) expect(RUN_STATUS_INFO[status].meaning.length).toBeGreaterThan(5)
  })

  it('reads a run cancelled before "cancelled" existed (stored as stopped + "cancelled by the user") as cancelled', async () => {
    const { workbench, runId, worker, done } = await setup()
    worker.report({ type: 'completed', stopped: false, result })
    worker.exit(0, null)
    await done
    const stored = await workbench.store.get(runId)
    await writeFile(join(workbench.store.runDir(runId), 'run.json'), JSON.stringify({ ...stored, status: 'stopped', error: 'cancelled by the user' }))
    expect(await workbench.store.get(runId)).toMatchObject({ status: 'cancelled', error: undefined })
    workbench.close()
  })

  it('gives each new run the next colour, the same for every client, continuing after a restart', async () => {
    const workers = fakeWorkerLauncher()
    const dataDir = await mkdtemp(join(tmpdir(), 'colours-'))
    const first = await createWorkbench({ dataDir, launchWorker: workers.launch, mode: 'web' })
    const started = await Promise.all([first.supervisor.start(config), first.supervisor.start(config)])
    expect(started.map((run) => run.colorIndex).sort()).toEqual([0, 1])
    expect((await first.store.get(started[0]!.runId)).colorIndex).toBe(started[0]!.colorIndex)
    first.close()
    const again = await createWorkbench({ dataDir, launchWorker: workers.launch, mode: 'web' })
    expect((await again.supervisor.start(config)).colorIndex).toBe(2)
    again.close()
  })
})
