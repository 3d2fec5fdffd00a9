import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { downloadFiles } from '../../main/pool/runFiles'
import { TrainConfig } from '../../shared/api/schemas'
import { createRedis } from '../../main/pool/redisConnection'
import { FENCE_FIELD, poolKeys } from '../../main/pool/poolProtocol'
import { redisMissing, startRedis, type PoolWorkerProcess, type RedisServer } from '../helpers/redisServer'
import { expectCountedOnce, openWorkbench, poolWorker, signalWorkerTree, waitForStatus } from '../helpers/poolHarness'

const missing = redisMissing()
if (missing) console.warn(`skipping pool fencing tests: ${missing}`)

const EPOCHS = 5
const LIMIT = 600
const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: EPOCHS, batchSize: 100, learningRate: 0.05, limit: LIMIT, backend: 'wasm', seed: 11 })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!!missing)('pool fencing: one attempt holds a run, and only its writes count', () => {
  let redis: RedisServer
  const workers: PoolWorkerProcess[] = []
  const stopWorkers = async () => {
    for (const worker of workers.splice(0)) {
      signalWorkerTree(worker, 'SIGCONT')
      worker.child.kill('SIGKILL')
      await worker.exited
    }
  }
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await stopWorkers()
    await redis?.stop()
  })

  it('a worker SIGSTOPped past its lock and resumed stops training the run, saying so; the run counts each epoch once', async () => {
    const sleepy = await poolWorker(redis, 'sleepy')
    workers.push(sleepy)
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    signalWorkerTree(sleepy, 'SIGSTOP')
    const rescuer = await poolWorker(redis, 'rescuer')
    workers.push(rescuer)
    await waitForStatus(workbench, runId, (run) => run.worker === 'rescuer' && run.status === 'running')
    // The sleeper wakes while the rescuer trains: both hold a training process for the same run.
    signalWorkerTree(sleepy, 'SIGCONT')
    const woke = performance.now()
    while (!/lost run/.test(sleepy.output()) && performance.now() - woke < 10_000) await sleep(5)
    console.log(`the woken worker stopped training the run ${(performance.now() - woke).toFixed(0)} ms after SIGCONT`)
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    expect(final.worker).toBe('rescuer')
    await expectCountedOnce(workbench, dir, runId, EPOCHS, LIMIT)
    expect(sleepy.output()).toMatch(new RegExp(`lost run ${runId}.*stopped training it`))
    workbench.close()
    await stopWorkers()
  }, 300_000)

  it('cancel then resume at once (tens of ms): the cancelled attempt stops, one attempt trains the rest', async () => {
    const first = await poolWorker(redis, 'first')
    workers.push(first)
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    const second = poolWorker(redis, 'second')
    void second.then((worker) => workers.push(worker))
    const cancelledAt = performance.now()
    expect((await workbench.handlers['training.cancel']({ runId })).cancelled).toBe(true)
    await workbench.supervisor.settled(runId)
    await workbench.handlers['training.resume']({ runId })
    const gapMs = performance.now() - cancelledAt
    console.log(`cancel -> resume: ${gapMs.toFixed(1)} ms`)
    // The old worker read its control key every 300 ms: any resume sooner than that raced the cancel (43 ms was reported).
    expect(gapMs).toBeLessThan(300)
    await second
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    await expectCountedOnce(workbench, dir, runId, EPOCHS, LIMIT)
    expect(first.output()).toMatch(new RegExp(`lost run ${runId}.*stopped training it`))
    workbench.close()
    await stopWorkers()
  }, 300_000)

  it('a forged "completed" and model files for a running run are refused; the run finishes as trained', async () => {
    workers.push(await poolWorker(redis, 'honest'))
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await waitForStatus(workbench, runId, (run) => run.checkpointEpoch === 1)
    const forger = createRedis(redis.url)
    const result = { trainLoss: 0, trainAccuracy: 1, testLoss: 0, testAccuracy: 1, samplesPerSecond: 1, trainSeconds: 1, params: 1 }
    await forger.hset(poolKeys.model(runId), { 'model/planted.bin': Buffer.alloc(5 << 20), 'notes/readme.txt': 'hello', 'model/weights.bin': 'forged' })
    await forger.xadd(poolKeys.events(runId), '*', 'm', JSON.stringify({ type: 'completed', result, stopped: false }))
    await forger.xadd(poolKeys.events(runId), '*', 'm', JSON.stringify({ type: 'completed', result, stopped: false }), 'f', 'guessed-token')
    await sleep(1_500)
    expect((await workbench.store.get(runId)).status).toBe('running')
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    expect(final.result?.testAccuracy).toBeLessThan(1)
    const runDir = join(dir, 'runs', runId)
    expect(existsSync(join(runDir, 'model', 'planted.bin'))).toBe(false)
    expect(existsSync(join(runDir, 'notes'))).toBe(false)
    await expectCountedOnce(workbench, dir, runId, EPOCHS, LIMIT)
    forger.disconnect()
    workbench.close()
    await stopWorkers()
  }, 300_000)

  it('files from the pool land only under the names a run folder declares, and only from the attempt named', async () => {
    const redis_ = createRedis(redis.url)
    const key = poolKeys.model('planted-run')
    await redis_.hset(key, { [FENCE_FIELD]: 'job-1#1', 'model/weights.bin': 'w', 'model/planted.bin': 'x', 'notes/readme.txt': 'x', 'model/../../escape.txt': 'x', 'checkpoints/epoch-1/extra.bin': 'x' })
    const runDir = await mkdtemp(join(tmpdir(), 'planted-'))
    expect(await downloadFiles(redis_, key, runDir, 'job-1#2')).toBe(0)
    expect(await readdir(runDir)).toEqual([])
    expect(await downloadFiles(redis_, key, runDir, 'job-1#1')).toBe(1)
    expect(await readdir(runDir, { recursive: true })).toEqual(['model', 'model/weights.bin'])
    redis_.disconnect()
  })
})
