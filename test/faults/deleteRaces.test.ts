import { describe, expect, it } from 'vitest'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrainConfig } from '../../shared/api/schemas'
import { dispatchApiCall } from '../../main/services/apiDispatcher'
import { createWorkbench } from '../../main/services/workbench'
import { fakeWorkerLauncher } from '../helpers/fakeWorker'

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 32, learningRate: 0.05, limit: 100 })

describe('no ghost runs', () => {
  it('stop and delete of a queued run at the same instant: deleted for good, no failed event, 10 of 10', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ghost-'))
    const fake = fakeWorkerLauncher()
    const workbench = await createWorkbench({ dataDir, launchWorker: fake.launch, mode: 'web', maxConcurrentRuns: 1 })
    const events: { event: string; runId: string; status?: string }[] = []
    workbench.events.subscribe((event, payload) => events.push({ event, ...(payload as { runId: string; status?: string }) }))
    const errors: string[] = []
    const originalError = console.error
    console.error = (...args: unknown[]) => errors.push(args.join(' '))
    try {
      // One run trains (a fake worker that never ends), so the others wait in the queue.
      await workbench.supervisor.start(config)
      for (let attempt = 0; attempt < 10; attempt++) {
        const { runId } = await workbench.supervisor.start(config)
        expect(workbench.supervisor.liveSummary(runId)?.status).toBe('queued')
        const [stopped, deleted] = await Promise.all([
          dispatchApiCall(workbench.handlers, 'training.stop', { runId }),
          dispatchApiCall(workbench.handlers, 'runs.delete', { runId }),
        ])
        expect(stopped).toEqual({ ok: true, value: { stopped: true } })
        expect(deleted, JSON.stringify(deleted)).toEqual({ ok: true, value: { deleted: true } })
        const seenAfter = events.length
        // Whatever was still to be written has been written by now: nothing of the run comes back.
        await workbench.supervisor.settled(runId)
        await new Promise((resolve) => setImmediate(resolve))
        expect(events.slice(seenAfter).filter((e) => e.runId === runId)).toEqual([])
        expect(events.filter((e) => e.runId === runId && e.status === 'failed')).toEqual([])
        const listed = await dispatchApiCall(workbench.handlers, 'runs.list', {})
        expect((listed as { value: { runId: string }[] }).value.map((r) => r.runId)).not.toContain(runId)
        expect((await readdir(join(dataDir, 'runs'))).filter((name) => name.includes(runId))).toEqual([])
      }
      expect(errors.filter((line) => /ENOENT|saving run data/.test(line))).toEqual([])
    } finally {
      console.error = originalError
      workbench.close()
    }
  })

  it('deleting a paused run says it is paused and how to end it, not that it is running', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ghost-paused-'))
    const fake = fakeWorkerLauncher()
    const workbench = await createWorkbench({ dataDir, launchWorker: fake.launch, mode: 'web' })
    const { runId } = await workbench.supervisor.start(config)
    expect(workbench.supervisor.pause(runId)).toBe(true)
    const result = await dispatchApiCall(workbench.handlers, 'runs.delete', { runId })
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.error.code).toBe('conflict')
    expect(result.ok ? '' : result.error.message).toMatch(/is paused: .*stop it .* or cancel it, then delete it/)
    expect(result.ok ? '' : result.error.message).not.toMatch(/is running/)
    workbench.close()
  })
})
