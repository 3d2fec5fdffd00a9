import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrainConfig } from '../../shared/api/schemas'
import { Queue } from 'bullmq'
import { createRedis } from '../../main/pool/redisConnection'
import { POOL_QUEUE_NAME, poolKeys } from '../../main/pool/poolProtocol'
import { redisMissing, startPoolWorker, startRedis, type PoolWorkerProcess, type RedisServer } from '../helpers/redisServer'
import { expectCountedOnce, openWorkbench, poolWorker as worker, waitForStatus } from '../helpers/poolHarness'

const root = join(import.meta.dirname, '..', '..')
const missing = redisMissing()
if (missing) console.warn(`skipping pool tests: ${missing}`)

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 3, batchSize: 100, learningRate: 0.05, limit: 600, backend: 'wasm', seed: 11 })

function floats(buffer: Buffer): Float32Array {
  return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4)
}

describe.skipIf(!!missing)('a pool of training workers on Redis', () => {
  let redis: RedisServer
  const workers: PoolWorkerProcess[] = []
  beforeAll(async () => {
    redis = await startRedis({ persist: true })
  })
  afterAll(async () => {
    for (const process of workers) process.child.kill('SIGKILL')
    await redis?.stop()
  })

  it('a run still waiting in the pool queue stops at once: it leaves the queue and no worker trains it', async () => {
    const { workbench } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    const queue = new Queue(POOL_QUEUE_NAME, { connection: createRedis(redis.url) })
    while ((await queue.getWaitingCount()) === 0) await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await workbench.handlers['training.stop']({ runId })).stopped).toBe(true)
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status).toBe('stopped')
    expect(await queue.getWaitingCount()).toBe(0)
    await queue.close()
    workbench.close()
  }, 60_000)

  it('trains a run on a worker: metrics, checkpoint and model come back into the local run store', async () => {
    workers.push(await worker(redis, 'alpha'))
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    expect(final.place).toBe('pool')
    expect(final.worker).toBe('alpha')
    expect(existsSync(join(dir, 'runs', runId, 'model', 'weights.bin'))).toBe(true)
    const detail = await workbench.store.detail(runId)
    expect(detail.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3])
    expect(detail.points.at(-1)!.samples).toBe(1800)
    const status = await workbench.handlers['pool.status']({})
    expect(status.workers.map((w) => w.id)).toContain('alpha')
    workbench.close()
  }, 120_000)

  it('a worker SIGKILLed mid-epoch: another takes the run over from its last checkpoint, to the same weights as an uninterrupted run', async () => {
    for (const process of workers.splice(0)) process.child.kill('SIGKILL')
    const { workbench, dir } = await openWorkbench(redis.url)
    const straight = await workbench.supervisor.waitFor((await workbench.supervisor.start(config)).runId)!
    expect(straight.status).toBe('completed')

    const doomed = await worker(redis, 'doomed')
    workers.push(doomed)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    // Into the second epoch, then the worker dies without a word (and its training process with it).
    await new Promise<void>((resolve) => {
      const off = workbench.events.subscribe((event, payload) => {
        if (event === 'run.progress' && (payload as { runId: string; epoch: number }).runId === runId && (payload as { epoch: number }).epoch === 2) {
          off()
          resolve()
        }
      })
    })
    doomed.child.kill('SIGKILL')
    await doomed.exited
    workers.push(await worker(redis, 'rescuer'))

    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    expect(final.worker).toBe('rescuer')
    const a = floats(await readFile(join(dir, 'runs', straight.runId, 'model', 'weights.bin')))
    const b = floats(await readFile(join(dir, 'runs', runId, 'model', 'weights.bin')))
    expect(b.length).toBe(a.length)
    let maxDiff = 0
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]))
    expect(maxDiff).toBeLessThan(1e-5)

    // The curve continues from the checkpoint: no point twice, none past the end, each epoch once.
    const detail = await workbench.store.detail(runId)
    expect(detail.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3])
    for (let i = 1; i < detail.points.length; i++) expect(detail.points[i].samples).toBeGreaterThan(detail.points[i - 1].samples)
    expect(detail.points.at(-1)!.samples).toBe(1800)
    await expectCountedOnce(workbench, dir, runId, 3, 600)
    workbench.close()
  }, 240_000)

  it('a worker stopped with Ctrl-C hands its run back: it goes back to the queue and resumes on the next worker', async () => {
    for (const process of workers.splice(0)) process.child.kill('SIGKILL')
    const leaving = await worker(redis, 'leaving')
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    const requeued = waitForStatus(workbench, runId, (run) => run.status === 'queued')
    leaving.child.kill('SIGINT')
    expect(await leaving.exited).toBe(0)
    await requeued
    workers.push(await worker(redis, 'staying'))
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    expect(final.worker).toBe('staying')
    const detail = await workbench.store.detail(runId)
    expect(detail.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3])
    await expectCountedOnce(workbench, dir, runId, 3, 600)
    expect(leaving.output()).toMatch(/handing its runs back/)
    workbench.close()
  }, 240_000)

  it('Redis restarted mid-run: worker and workbench reconnect and the run completes', async () => {
    if (!workers.length) workers.push(await worker(redis, 'steady'))
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    await redis.restart()
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    const detail = await workbench.store.detail(runId)
    expect(detail.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3])
    expect(detail.points.at(-1)!.samples).toBe(1800)
    await expectCountedOnce(workbench, dir, runId, 3, 600)
    workbench.close()
  }, 240_000)

  it('the workbench closed mid-sweep: the sweep finishes on the pool and its results are there on reopen', async () => {
    if (!workers.length) workers.push(await worker(redis, 'steady'))
    const first = await openWorkbench(redis.url)
    const { runIds } = await first.workbench.handlers['training.sweep']({ config, learningRates: [0.05, 0.1], place: 'pool' })
    await waitForStatus(first.workbench, runIds[0], (run) => run.status === 'running')
    first.workbench.close()

    // Both runs end while no workbench listens: their streams hold every message until one comes back.
    const redisClient = createRedis(redis.url)
    const ended = async (runId: string) => {
      const entries = await redisClient.xrange(poolKeys.events(runId), '-', '+')
      return entries.some(([, fields]) => /"type":"(completed|failed)"/.test(fields[1]))
    }
    while (!(await ended(runIds[0])) || !(await ended(runIds[1]))) await new Promise((resolve) => setTimeout(resolve, 300))
    redisClient.disconnect()

    const reopened = await openWorkbench(redis.url, first.dir)
    for (const runId of runIds) {
      // Backfilling a finished run takes a moment: it may be over before or after this line.
      await reopened.workbench.supervisor.waitFor(runId)
      let final = await reopened.workbench.store.get(runId)
      while (final.status === 'running' || final.status === 'queued') {
        await new Promise((resolve) => setTimeout(resolve, 100))
        final = await reopened.workbench.store.get(runId)
      }
      expect(final.status, final.error).toBe('completed')
      const detail = await reopened.workbench.store.detail(runId)
      expect(detail.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2, 3])
      expect(detail.points.at(-1)!.samples).toBe(1800)
      expect(existsSync(join(first.dir, 'runs', runId, 'model', 'weights.bin'))).toBe(true)
      await expectCountedOnce(reopened.workbench, first.dir, runId, 3, 600)
    }
    reopened.workbench.close()
  }, 240_000)

  it('cli --queue ... train --remote trains on the pool and says on which worker; workers lists it', async () => {
    if (!workers.length) workers.push(await worker(redis, 'steady'))
    const dataDir = await mkdtemp(join(tmpdir(), 'pool-cli-'))
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', 'main/cli/cli.ts', '--data-dir', dataDir, '--queue', redis.url, ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      )
    const trained = await cli(['train', '--arch', 'lenet-relu', '--epochs', '1', '--limit', '300', '--backend', 'wasm', '--remote', '--json'])
    expect(trained.code, trained.stderr).toBe(0)
    const summary = JSON.parse(trained.stdout.trim().split('\n').at(-1)!)
    expect(summary).toMatchObject({ status: 'completed', worker: expect.stringMatching(/\S/), trainImages: 300 })
    const listed = await cli(['workers'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(summary.worker)
  }, 180_000)

  it('a folder data set missing on the worker fails the run with that message, naming the worker', async () => {
    if (!workers.length) workers.push(await worker(redis, 'steady'))
    const { workbench } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, dataset: 'folder:/no/such/images', place: 'pool' })
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status).toBe('failed')
    expect(final.error).toMatch(/the data set folder \/no\/such\/images does not exist on worker \S+/)
    workbench.close()
  }, 120_000)

  it('a worker runs nothing but a valid training job', async () => {
    if (!workers.length) workers.push(await worker(redis, 'steady'))
    const queue = new Queue(POOL_QUEUE_NAME, { connection: createRedis(redis.url) })
    const runId = 'forged-job-1'
    await queue.add('train', { runId, config: { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 10, learningRate: 0.1 }, resume: false, shell: 'rm -rf /' }, { jobId: runId })
    const reader = createRedis(redis.url)
    let entries: [string, string[]][] = []
    while (!entries.length) {
      entries = await reader.xrange(poolKeys.events(runId), '-', '+')
      if (!entries.length) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(entries[0][1][1]).toMatch(/refused the job: .*shell/)
    reader.disconnect()
    await queue.close()
  }, 60_000)
})

describe.skipIf(!!missing)('a Redis that wants a password', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis({ password: 'right-one' })
  })
  afterAll(() => redis?.stop())

  it('a wrong password is one clear line, for the worker and for the workbench', async () => {
    const wrong = `redis://:wrong-one@127.0.0.1:${redis.port}`
    const process = startPoolWorker(['--queue', wrong])
    expect(await process.exited).toBe(1)
    const lines = process.output().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/refused the password/)
    expect(lines[0]).not.toMatch(/wrong-one/)
    await expect(openWorkbench(wrong)).rejects.toThrow(/refused the password/)
  }, 60_000)
})
