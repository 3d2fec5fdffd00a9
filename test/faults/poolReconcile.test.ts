import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench, type Workbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig } from '../../shared/api/schemas'
import { redisMissing, startRedis, type PoolWorkerProcess, type RedisServer } from '../helpers/redisServer'
import { expectCountedOnce, poolWorker, waitForStatus } from '../helpers/poolHarness'

const missing = redisMissing()
if (missing) console.warn(`skipping pool reconciliation tests: ${missing}`)

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 100, learningRate: 0.05, limit: 300, backend: 'wasm', seed: 3 })

async function openWorkbench(queue: string): Promise<{ workbench: Workbench; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pool-reconcile-'))
  return { dir, workbench: await createWorkbench({ dataDir: dir, launchWorker: createNodeWorkerLauncher(), mode: 'cli', queue, poolReconcileMs: 500 }) }
}

describe.skipIf(!!missing)('Redis restarted without persistence: nothing queued is lost silently', () => {
  let redis: RedisServer
  const workers: PoolWorkerProcess[] = []
  beforeAll(async () => {
    redis = await startRedis({ persist: false })
  })
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL')
    await redis?.stop()
  })

  it('a queued run whose job vanished is marked so; Resubmit trains it, Delete removes it', async () => {
    const { workbench, dir } = await openWorkbench(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    const other = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    expect((await workbench.store.get(runId)).status).toBe('queued')
    const started = performance.now()
    const noticed = waitForStatus(workbench, runId, (run) => run.status === 'interrupted')
    await redis.restart()
    const lost = await Promise.race([noticed, new Promise<undefined>((resolve) => setTimeout(resolve, 20_000))])
    console.log(`vanished job noticed after ${(performance.now() - started).toFixed(0)} ms`)
    expect(lost?.error).toMatch(/vanished from the pool's queue/)

    // Resubmit: queued again, and a worker trains it from the start.
    const resubmitted = await workbench.handlers['training.resume']({ runId })
    expect(resubmitted.status).toBe('queued')
    workers.push(await poolWorker(redis, 'after-restart'))
    const final = await workbench.supervisor.waitFor(runId)!
    expect(final.status, final.error).toBe('completed')
    await expectCountedOnce(workbench, dir, runId, 2, 300)

    // The other vanished run: Delete works once it is marked.
    await workbench.supervisor.waitFor(other.runId)
    expect((await workbench.store.get(other.runId)).status).toBe('interrupted')
    expect(await workbench.handlers['runs.delete']({ runId: other.runId })).toEqual({ deleted: true })
    workbench.close()
  }, 180_000)

  it('Stop on a queued run whose job vanished ends it at once, and Delete then works', async () => {
    for (const worker of workers.splice(0)) worker.child.kill('SIGKILL')
    const { workbench } = await createWorkbenchWithoutReconcile(redis.url)
    const { runId } = await workbench.handlers['training.start']({ ...config, place: 'pool' })
    await redis.restart()
    expect((await workbench.handlers['training.stop']({ runId })).stopped).toBe(true)
    const final = await Promise.race([workbench.supervisor.waitFor(runId)!, new Promise<undefined>((resolve) => setTimeout(resolve, 10_000))])
    expect(final?.status).toBe('stopped')
    expect(await workbench.handlers['runs.delete']({ runId })).toEqual({ deleted: true })
    workbench.close()
  }, 60_000)
})

async function createWorkbenchWithoutReconcile(queue: string): Promise<{ workbench: Workbench }> {
  const dir = await mkdtemp(join(tmpdir(), 'pool-reconcile-'))
  return { workbench: await createWorkbench({ dataDir: dir, launchWorker: createNodeWorkerLauncher(), mode: 'cli', queue, poolReconcileMs: 600_000 }) }
}
