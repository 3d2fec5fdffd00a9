import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench } from '../../main/services/workbench'
import { dispatchApiCall } from '../../main/services/apiDispatcher'
import { describeStorageError } from '../../main/storage/storageErrors'
import { RunSummary, TrainConfig } from '../../shared/api/schemas'
import type { EventName } from '../../shared/api/contract'
import { fakeWorkerLauncher, progressMessage } from '../helpers/fakeWorker'

/**
 * A full disk, injected under the run store: `appendFile` (metrics) and the atomic writer's
 * `writeFile` (run.json) write a little, as a real full disk may, then fail with ENOSPC.
 */
const faults = vi.hoisted(() => ({ append: false, write: false }))
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  const enospc = (path: unknown) =>
    Object.assign(new Error(`ENOSPC: no space left on device, write '${String(path)}'`), { code: 'ENOSPC', errno: -28, syscall: 'write' })
  const open: typeof actual.open = async (path, flags, mode) => {
    const handle = await actual.open(path, flags, mode)
    if (!faults.write || flags !== 'w') return handle
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writeFile') {
          return async (data: string) => {
            await target.writeFile(String(data).slice(0, 10))
            throw enospc(path)
          }
        }
        const value = Reflect.get(target, property) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }
  const appendFile: typeof actual.appendFile = async (path, data, options) => {
    if (!faults.append) return actual.appendFile(path, data, options)
    await actual.appendFile(path, String(data).slice(0, 7))
    throw enospc(path)
  }
  return { ...actual, open, appendFile }
})

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 3, batchSize: 64, learningRate: 0.05, backend: 'wasm' })
const backendMessage = { type: 'backend', report: { name: 'wasm', skipped: [] }, params: 61706 }

async function setup() {
  const dataDir = await mkdtemp(join(tmpdir(), 'disk-full-'))
  const workers = fakeWorkerLauncher()
  const workbench = await createWorkbench({ dataDir, launchWorker: workers.launch, mode: 'web' })
  const statuses: { status: string; error?: string }[] = []
  workbench.events.subscribe((event: EventName, payload) => {
    if (event === 'run.status') statuses.push({ status: (payload as { status: string }).status, error: (payload as { run: { error?: string } }).run.error })
  })
  return { dataDir, workers, workbench, statuses }
}

const readRunJson = async (dataDir: string, runId: string) => RunSummary.parse(JSON.parse(await readFile(join(dataDir, 'runs', runId, 'run.json'), 'utf8')))

describe('a full disk during a run', () => {
  beforeEach(() => {
    faults.append = false
    faults.write = false
  })

  it('fails the run cleanly when its metrics cannot be written, and the app keeps serving', async () => {
    const { dataDir, workers, workbench, statuses } = await setup()
    const { runId } = await workbench.supervisor.start(config)
    const worker = workers.workers[0]
    worker.report(backendMessage)
    worker.report(progressMessage(0))
    // The fault must start after the first points are on disk: wait for them, not for a fixed time.
    await vi.waitFor(async () => expect((await workbench.store.detail(runId)).points.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 })
    faults.append = true
    worker.report(progressMessage(192))
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/^the disk is full \(no space left on device\) while saving run data: free some space/)
    expect(worker.killed).toBe(true)
    expect(statuses.at(-1)).toEqual({ status: 'failed', error: final.error })

    // Nothing is corrupt: run.json parses and says what happened; the metrics written before the disk
    // filled are all there (the torn tail is skipped).
    const stored = await readRunJson(dataDir, runId)
    expect(stored.status).toBe('failed')
    expect(stored.error).toMatch(/disk is full/)
    const detail = await workbench.store.detail(runId)
    expect(detail.points.map((point) => point.samples)).toEqual([64, 128, 192])

    // Whatever the worker says after that is not recorded as if it had been saved.
    worker.report({ type: 'completed', stopped: false, result: { trainLoss: 1, trainAccuracy: 1, testLoss: 1, testAccuracy: 1, samplesPerSecond: 1, trainSeconds: 1, params: 1 } })
    expect((await readRunJson(dataDir, runId)).status).toBe('failed')

    // The app keeps serving: lists, answers, and trains again once there is space.
    faults.append = false
    expect((await dispatchApiCall(workbench.handlers, 'runs.list', {})).ok).toBe(true)
    const next = await dispatchApiCall(workbench.handlers, 'training.start', config)
    expect(next.ok).toBe(true)
    expect(workers.workers).toHaveLength(2)
    workbench.close()
  })

  it('leaves the last good run.json when nothing can be written, and no temporary files', async () => {
    const { dataDir, workers, workbench, statuses } = await setup()
    const { runId } = await workbench.supervisor.start(config)
    const worker = workers.workers[0]
    worker.report(progressMessage(0))
    // The fault must start after the first points are on disk: wait for them, not for a fixed time.
    await vi.waitFor(async () => expect((await workbench.store.detail(runId)).points.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 })
    faults.append = true
    faults.write = true
    worker.report(backendMessage) // a run.json update: it fails first
    worker.report(progressMessage(192))
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/disk is full/)
    expect(statuses.at(-1)?.status).toBe('failed')

    const stored = await readRunJson(dataDir, runId)
    expect(stored.status).toBe('running')
    expect((await readdir(join(dataDir, 'runs', runId))).filter((name) => name.endsWith('.tmp'))).toEqual([])

    // While the disk is full: a new run is refused with a clear error, reading still works.
    const refused = await dispatchApiCall(workbench.handlers, 'training.start', config)
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/^the disk is full/) } })
    expect((await dispatchApiCall(workbench.handlers, 'runs.get', { runId })).ok).toBe(true)

    // Starting the app with the disk still full works; once there is space the run shows as interrupted.
    workbench.close()
    const stillFull = await createWorkbench({ dataDir, launchWorker: workers.launch, mode: 'web' })
    expect((await stillFull.handlers['runs.list']({})).map((run) => run.runId)).toContain(runId)
    faults.append = false
    faults.write = false
    const restarted = await createWorkbench({ dataDir, launchWorker: workers.launch, mode: 'web' })
    expect((await readRunJson(dataDir, runId)).status).toBe('interrupted')
    restarted.close()
  })

  it('ends a waiting run whose run.json cannot be written, and takes it out of the queue', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'disk-full-'))
    const workers = fakeWorkerLauncher()
    const workbench = await createWorkbench({ dataDir, launchWorker: workers.launch, mode: 'web', maxConcurrentRuns: 1 })
    const training = await workbench.supervisor.start(config)
    const waiting = await workbench.supervisor.start(config)
    const next = await workbench.supervisor.start(config)
    const ended = workbench.supervisor.waitFor(waiting.runId)!
    faults.write = true
    await workbench.supervisor.annotate(waiting.runId, { name: 'renamed' })
    faults.write = false
    expect(workbench.supervisor.isActive(waiting.runId)).toBe(false)
    expect(await ended).toMatchObject({ status: 'failed', error: expect.stringMatching(/^the disk is full/) })
    // The turn it gave up goes to the run behind it once the training one ends.
    const trained = workbench.supervisor.waitFor(training.runId)!
    workers.workers[0].report({ type: 'completed', stopped: false, result: { trainLoss: 1, trainAccuracy: 1, testLoss: 1, testAccuracy: 1, samplesPerSecond: 1, trainSeconds: 1, params: 1 } })
    workers.workers[0].exit(0, null)
    await trained
    expect(workers.workers.map((worker) => (worker.received[0] as { runId: string }).runId)).toEqual([training.runId, next.runId])
    workbench.close()
  })

  it('says "disk is full" in words even when a library kept only the message', () => {
    expect(describeStorageError(new Error("ENOSPC: no space left on device, write"), 'saving the run')).toMatch(/^the disk is full .* while saving the run: free some space/)
    expect(describeStorageError(Object.assign(new Error('x'), { code: 'EROFS' }), 'saving the run')).toMatch(/read-only/)
    expect(describeStorageError(new Error('boom'), 'saving the run')).toBe('saving the run failed: boom')
  })
})
