import { describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { dispatchApiCall } from '../../../main/services/apiDispatcher'
import { createWorkbench } from '../../../main/services/workbench'
import { TrainConfig, type RunSummary } from '../../../shared/api/schemas'
import { fakeWorkerLauncher } from '../../helpers/fakeWorker'

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.05, limit: 1000 })

async function setup() {
  const dataDir = await mkdtemp(join(tmpdir(), 'runs-api-'))
  const fake = fakeWorkerLauncher()
  const workbench = await createWorkbench({ dataDir, launchWorker: fake.launch, mode: 'web' })
  const call = (method: string, request: unknown) => dispatchApiCall(workbench.handlers, method, request)
  return { dataDir, fake, workbench, call }
}

/** A finished run on disk, as the supervisor leaves one. */
async function storedRun(dataDir: string, runId: string, status: RunSummary['status'] = 'completed'): Promise<void> {
  const summary: RunSummary = { runId, config, status, createdAt: new Date().toISOString(), classNames: [] }
  await mkdir(join(dataDir, 'runs', runId), { recursive: true })
  await writeFile(join(dataDir, 'runs', runId, 'run.json'), JSON.stringify(summary))
  await writeFile(join(dataDir, 'runs', runId, 'metrics.jsonl'), '')
}

describe('runs.update and runs.delete', () => {
  it('renames and tags a run; the change is stored, listed and announced', async () => {
    const { dataDir, workbench, call } = await setup()
    await storedRun(dataDir, 'r1')
    const announced: unknown[] = []
    workbench.events.subscribe((event, payload) => event === 'run.status' && announced.push(payload))

    const renamed = await call('runs.update', { runId: 'r1', name: '  ReLU baseline ', tags: ['baseline', 'lenet', 'baseline'] })
    expect(renamed).toMatchObject({ ok: true, value: { runId: 'r1', name: 'ReLU baseline', tags: ['baseline', 'lenet'] } })
    expect(announced).toHaveLength(1)

    // Fields left out are kept; an empty name clears it.
    await call('runs.update', { runId: 'r1', tags: ['kept'] })
    expect((await workbench.store.get('r1')).name).toBe('ReLU baseline')
    await call('runs.update', { runId: 'r1', name: '' })
    const listed = (await workbench.handlers['runs.list']({})).find((run) => run.runId === 'r1')
    expect(listed?.name).toBeUndefined()
    expect(listed?.tags).toEqual(['kept'])
  })

  it('refuses bad names and tags, unknown runs and traversal ids', async () => {
    const { dataDir, call } = await setup()
    await storedRun(dataDir, 'r1')
    expect(await call('runs.update', { runId: 'r1', name: 'x'.repeat(121) })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(await call('runs.update', { runId: 'r1', tags: ['a,b'] })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(await call('runs.update', { runId: 'nope', name: 'x' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
    for (const runId of ['../r1', '..', 'r1/../../etc', '/etc/passwd', 'R1']) {
      expect(await call('runs.delete', { runId })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
      expect(await call('runs.update', { runId, name: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    }
    expect(existsSync(join(dataDir, 'runs', 'r1', 'run.json'))).toBe(true)
  })

  it('deletes a finished run and its folder; a second delete is not-found', async () => {
    const { dataDir, workbench, call } = await setup()
    await storedRun(dataDir, 'r1')
    await storedRun(dataDir, 'r2', 'failed')
    expect(await call('runs.delete', { runId: 'r1' })).toEqual({ ok: true, value: { deleted: true } })
    expect(existsSync(join(dataDir, 'runs', 'r1'))).toBe(false)
    expect(await readdir(join(dataDir, 'runs'))).toEqual(['r2'])
    expect((await workbench.handlers['runs.list']({})).map((run) => run.runId)).toEqual(['r2'])
    expect(await call('runs.delete', { runId: 'r1' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })

  it('refuses to delete a queued or running run with a conflict, and deletes it once it has ended', async () => {
    const { dataDir, fake, workbench, call } = await setup()
    const running = await workbench.supervisor.start(config)
    const queued = await workbench.supervisor.start(config)
    for (const runId of [running.runId, queued.runId]) {
      const refused = await call('runs.delete', { runId })
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } })
      expect(refused.ok ? '' : refused.error.message).toMatch(/is (running|queued): stop it before deleting it/)
      expect(existsSync(join(dataDir, 'runs', runId, 'run.json'))).toBe(true)
    }

    // Renaming a live run survives the supervisor's later saves.
    await call('runs.update', { runId: running.runId, name: 'live one' })
    fake.workers[0]!.report({ type: 'checkpoint', epoch: 1 })
    workbench.supervisor.cancel(running.runId)
    const ended = await workbench.supervisor.waitFor(running.runId)!
    expect(ended.name).toBe('live one')
    expect((await workbench.store.get(running.runId)).name).toBe('live one')

    expect(await call('runs.delete', { runId: running.runId })).toEqual({ ok: true, value: { deleted: true } })
    expect(existsSync(join(dataDir, 'runs', running.runId))).toBe(false)
    workbench.close()
  })
})

describe('files that fail to decode during training', () => {
  it('are listed in the run (the first 100) and counted, not only logged', async () => {
    const { fake, workbench } = await setup()
    const run = await workbench.supervisor.start(config)
    const worker = fake.workers[0]!
    const data = { imageShape: [28, 28, 3], train: 10, validation: 0, test: 2, mean: [], std: [], normalized: false, skipped: 1 }
    worker.report({ type: 'dataset', classNames: ['cat', 'dog'], data })
    for (let i = 0; i < 103; i++) worker.report({ type: 'unreadable', file: { file: `dog/${i}.jpg`, reason: 'corrupt or truncated image' } })
    const live = (await workbench.handlers['runs.get']({ runId: run.runId })).data!
    expect(live.unreadableCount).toBe(103)
    expect(live.unreadable).toHaveLength(100)
    expect(live.unreadable![0]).toEqual({ file: 'dog/0.jpg', reason: 'corrupt or truncated image' })
    // Files left out at scan time are counted apart.
    expect(live.skipped).toBe(1)
    const ended = workbench.supervisor.waitFor(run.runId)!
    worker.exit(1, null)
    const final = await ended
    expect(final.data?.unreadableCount).toBe(103)
    expect((await workbench.store.get(run.runId)).data?.unreadable).toHaveLength(100)
  })
})

describe('a training process that dies', () => {
  it('says what to do: a crash in native code suggests plain wasm, a kill mentions memory', async () => {
    const { fake, workbench } = await setup()
    const crashed = await workbench.supervisor.start(config)
    fake.workers[0]!.report({ type: 'backend', report: { name: 'wasm-blas', skipped: [] }, params: 61706 })
    const crashEnd = workbench.supervisor.waitFor(crashed.runId)!
    fake.workers[0]!.exit(null, 'SIGSEGV')
    expect(await crashEnd).toMatchObject({ status: 'interrupted' })
    expect((await crashEnd).error).toMatch(/killed \(SIGSEGV\).*crashed in the native code of the wasm-blas backend.*backend set to wasm/)

    const killed = await workbench.supervisor.start(config)
    const killEnd = workbench.supervisor.waitFor(killed.runId)!
    fake.workers[1]!.exit(null, 'SIGKILL')
    expect((await killEnd).error).toMatch(/killed \(SIGKILL\) before finishing \(by the user, or by the system when memory ran out/)
  })
})

describe('runs training side by side', () => {
  it('start at most maxConcurrentRuns at once, the rest queued, sharing the cores between them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runs-concurrent-'))
    const fake = fakeWorkerLauncher()
    const workbench = await createWorkbench({ dataDir, launchWorker: fake.launch, mode: 'web', maxConcurrentRuns: 2 })
    const runs = [await workbench.supervisor.start(config), await workbench.supervisor.start(config), await workbench.supervisor.start(config)]
    expect(fake.workers).toHaveLength(2)
    expect(workbench.supervisor.liveSummary(runs[2]!.runId)?.status).toBe('queued')
    const starts = fake.workers.map((worker) => worker.received[0] as { type: string; kernelThreads?: number })
    const share = Math.max(1, Math.floor(availableParallelism() / 2))
    expect(starts.map((s) => [s.type, s.kernelThreads])).toEqual([['start', share], ['start', share]])
    // One ends: the queued run starts.
    const ended = workbench.supervisor.waitFor(runs[0]!.runId)!
    fake.workers[0]!.exit(1, null)
    await ended
    expect(fake.workers).toHaveLength(3)
    expect(workbench.supervisor.liveSummary(runs[2]!.runId)?.status).toBe('running')
    workbench.close()
  })

  it('a single run gets every core (no thread share in its start message)', async () => {
    const { fake, workbench } = await setup()
    await workbench.supervisor.start(config)
    expect((fake.workers[0]!.received[0] as { kernelThreads?: number }).kernelThreads).toBeUndefined()
    workbench.close()
  })
})
