import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { TrainConfig } from '../../shared/api/schemas'
import { dispatchApiCall, toApiError } from '../../main/services/apiDispatcher'
import { exportRun } from '../../main/services/modelExchange'
import { createWorkbench } from '../../main/services/workbench'
import { createRedis } from '../../main/pool/redisConnection'
import { Queue } from 'bullmq'
import { POOL_QUEUE_NAME } from '../../main/pool/poolProtocol'
import { fakeWorkerLauncher } from '../helpers/fakeWorker'
import { redisMissing, startPoolWorker, startRedis, type PoolWorkerProcess, type RedisServer } from '../helpers/redisServer'
import { openWorkbench, waitForStatus } from '../helpers/poolHarness'

const missing = redisMissing()
if (missing) console.warn(`skipping the pool's smaller fault tests: ${missing}`)

/** Every worker a test starts, killed after the tests whatever happened in them (a failed test must not leave one behind). */
const started: PoolWorkerProcess[] = []
function startWorker(args: string[], env: NodeJS.ProcessEnv = {}): PoolWorkerProcess {
  const worker = startPoolWorker(args, env)
  started.push(worker)
  return worker
}

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 4, batchSize: 100, learningRate: 0.05, limit: 600, backend: 'wasm', seed: 5 })

describe.skipIf(!!missing)("the pool's smaller faults", () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    for (const worker of started) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL')
    await redis?.stop()
  })

  it('a worker sent SIGTERM with Redis gone leaves within 10 s, saying which run it could not hand back', async () => {
    const own = await startRedis()
    const scratch = await mkdtemp(join(tmpdir(), 'pool-worker-orphan-'))
    const worker = startWorker(['--queue', own.url, '--name', 'orphan', '--data-dir', scratch, '--lock-ms', '2000', '--threads', '1'])
    await worker.ready
    const { workbench } = await openWorkbench(own.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.status === 'running')
    workbench.close()
    await own.stop()
    const started = performance.now()
    worker.child.kill('SIGTERM')
    const code = await Promise.race([worker.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 12_000))])
    const seconds = (performance.now() - started) / 1000
    console.log(`worker left ${seconds.toFixed(1)} s after SIGTERM with Redis gone (${code})`)
    if (code === 'still running') worker.child.kill('SIGKILL')
    expect(code).not.toBe('still running')
    expect(seconds).toBeLessThan(10)
    expect(worker.output()).toMatch(new RegExp(`could not hand run ${runId} back`))
  }, 120_000)

  it('the queue URL from WORKBENCH_QUEUE_FILE: no password on the command line', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'queue-url-')), 'queue')
    await writeFile(file, `${redis.url}\n`, { mode: 0o600 })
    const worker = startWorker(['--name', 'from-file', '--data-dir', await mkdtemp(join(tmpdir(), 'pool-worker-file-'))], { WORKBENCH_QUEUE: '', WORKBENCH_QUEUE_FILE: file })
    await worker.ready
    worker.child.kill('SIGKILL')
  }, 60_000)

  it('a passwordless Redis on an address other than loopback gets a loud warning', async () => {
    const worker = startWorker(['--queue', `redis://0.0.0.0:${redis.port}`, '--name', 'exposed', '--data-dir', await mkdtemp(join(tmpdir(), 'pool-worker-exposed-'))])
    await worker.ready
    worker.child.kill('SIGKILL')
    expect(worker.output()).toMatch(/WARNING: Redis at redis:\/\/0\.0\.0\.0:\d+ has no password/)
  }, 60_000)

  it('a dead worker\'s scratch folder is removed when a worker starts on the same data folder', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'pool-worker-scratch-'))
    // A worker (pid 2^22 + 1: above Linux's pid_max) that died with a run in its scratch folder.
    const dead = join(scratch, 'work', String(2 ** 22 + 1), 'mxdead-000000')
    await mkdir(dead, { recursive: true })
    await writeFile(join(dead, 'checkpoint.json'), '{}')
    const worker = startWorker(['--queue', redis.url, '--name', 'sweeper', '--data-dir', scratch])
    await worker.ready
    worker.child.kill('SIGKILL')
    expect(existsSync(dead)).toBe(false)
  }, 60_000)

  it('a job whose data is not JSON fails once, with its reason, instead of cycling between waiting and active', async () => {
    const queue = new Queue(POOL_QUEUE_NAME, { connection: createRedis(redis.url) })
    await queue.pause()
    await queue.add('train', { runId: 'not-json-run' }, { jobId: 'not-json-1' })
    const client = createRedis(redis.url)
    await client.hset(`bull:${POOL_QUEUE_NAME}:not-json-1`, 'data', '{"runId": not json')
    const worker = startWorker(['--queue', redis.url, '--name', 'parser', '--data-dir', await mkdtemp(join(tmpdir(), 'pool-worker-parser-')), '--lock-ms', '1000'])
    await worker.ready
    await queue.resume()
    let state = ''
    for (let i = 0; i < 50 && state !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      state = await queue.getJobState('not-json-1')
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    // Read raw: BullMQ's own getJob cannot parse this job either.
    const job = await client.hgetall(`bull:${POOL_QUEUE_NAME}:not-json-1`)
    console.log(`a non-JSON job: ${state}, attempts made ${job.atm ?? 0}, stalled ${job.stc ?? 0} times`)
    expect(await queue.getJobState('not-json-1')).toBe('failed')
    expect(job.failedReason).toMatch(/refused the job: its data is not JSON/)
    expect(Number(job.atm)).toBe(1)
    worker.child.kill('SIGKILL')
    client.disconnect()
    await queue.close()
  }, 60_000)

  it("a run's reference image from a folder on the worker's disk stays there; export says why it is missing", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'worker-images-'))
    for (const [label, shade] of [['dark', 30], ['light', 220]] as const) {
      await mkdir(join(folder, label))
      for (let i = 0; i < 10; i++) await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: shade, g: shade + i, b: shade } } }).png().toFile(join(folder, label, `${i}.png`))
    }
    const worker = startWorker(['--queue', redis.url, '--name', 'private', '--data-dir', await mkdtemp(join(tmpdir(), 'pool-worker-private-')), '--threads', '1'])
    await worker.ready
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, dataset: `folder:${folder}`, epochs: 1, batchSize: 4, limit: undefined, place: 'pool' })
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    expect(existsSync(join(dir, 'runs', runId, 'model', 'weights.bin'))).toBe(true)
    expect(existsSync(join(dir, 'runs', runId, 'model', 'reference-sample.json'))).toBe(false)
    await expect(exportRun(workbench.store, runId, await mkdtemp(join(tmpdir(), 'export-')))).rejects.toThrow(/no reference image to export .*--share-reference-samples/)
    worker.child.kill('SIGKILL')
    workbench.close()
  }, 120_000)

  it('every key the pool writes for a run expires', async () => {
    const { workbench } = await openWorkbench(redis.url)
    const worker = startWorker(['--queue', redis.url, '--name', 'expiry', '--data-dir', await mkdtemp(join(tmpdir(), 'pool-worker-expiry-')), '--threads', '1'])
    await worker.ready
    const { runId } = await workbench.handlers['training.start']({ ...config, epochs: 2, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    const client = createRedis(redis.url)
    const keys = (await client.keys('cnnwb:*')).filter((key) => !key.startsWith('cnnwb:worker:'))
    expect(keys.length).toBeGreaterThan(3)
    for (const key of keys) expect(await client.ttl(key), key).toBeGreaterThan(0)
    client.disconnect()
    await workbench.supervisor.waitFor(runId)
    worker.child.kill('SIGKILL')
    workbench.close()
  }, 120_000)
})

describe('leftovers and races', () => {
  it('two deletes of one run at once: one deletes, the other answers not-found, neither names a server path', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'double-delete-'))
    const workbench = await createWorkbench({ dataDir, launchWorker: fakeWorkerLauncher().launch, mode: 'web' })
    for (let attempt = 0; attempt < 5; attempt++) {
      const summary = { runId: `double-${attempt}`, config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1 }), status: 'completed' as const, createdAt: new Date().toISOString(), classNames: [] }
      await workbench.store.save(summary)
      const results = await Promise.all([1, 2, 3].map(() => dispatchApiCall(workbench.handlers, 'runs.delete', { runId: summary.runId })))
      expect(results.filter((result) => result.ok)).toHaveLength(1)
      for (const result of results.filter((r) => !r.ok)) {
        expect(result.ok ? '' : result.error.code).toBe('not-found')
        expect(JSON.stringify(result)).not.toContain(dataDir)
      }
    }
    workbench.close()
  })

  it('an unexpected file-system error reaches the client without the server\'s paths', async () => {
    const error = await import('node:fs/promises').then((fs) => fs.rename('/no/such/dir/a', '/no/such/dir/b').catch((e: unknown) => e))
    const logged: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => logged.push(args.join(' '))
    try {
      const answer = toApiError(error)
      expect(answer).toEqual({ code: 'internal', message: 'the server could not complete the request (ENOENT in rename)' })
      expect(logged.join('\n')).toContain('/no/such/dir/a')
    } finally {
      console.error = original
    }
  })

  it('a checkpoint folder a killed run left half-written is removed on the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'leftovers-'))
    const runDir = join(dataDir, 'runs', 'killed-run')
    await mkdir(join(runDir, 'checkpoints', 'epoch-1'), { recursive: true })
    await mkdir(join(runDir, 'checkpoints', 'epoch-2'), { recursive: true })
    await writeFile(join(runDir, 'checkpoint.json'), JSON.stringify({ epoch: 1, samplesSeen: 10, epochsWithoutImprovement: 0, folder: 'checkpoints/epoch-1', savedAt: new Date().toISOString() }))
    const summary = { runId: 'killed-run', config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 3, batchSize: 32, learningRate: 0.1 }), status: 'running' as const, createdAt: new Date().toISOString(), classNames: [] }
    await writeFile(join(runDir, 'run.json'), JSON.stringify(summary))
    const workbench = await createWorkbench({ dataDir, launchWorker: fakeWorkerLauncher().launch, mode: 'web' })
    expect((await workbench.store.get('killed-run')).status).toBe('interrupted')
    expect(await readdir(join(runDir, 'checkpoints'))).toEqual(['epoch-1'])
    workbench.close()
  })
})

