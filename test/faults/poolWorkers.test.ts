import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWorkbench, type Workbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/training/workerLauncher'
import { TrainConfig, type RunSummary } from '../../shared/api/schemas'
import { redisMissing, startPoolWorker, startRedis, type PoolWorkerProcess, type RedisServer } from '../helpers/redisServer'

const missing = redisMissing()
if (missing) console.warn(`skipping pool tests: ${missing}`)

const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 3, batchSize: 100, learningRate: 0.05, limit: 600, backend: 'wasm', seed: 11 })

async function openWorkbench(queue: string, dataDir?: string): Promise<{ workbench: Workbench; dir: string }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'pool-wb-')))
  return { dir, workbench: await createWorkbench({ dataDir: dir, launchWorker: createNodeWorkerLauncher(), mode: 'cli', queue }) }
}

async function worker(redis: RedisServer, name: string, extra: string[] = []): Promise<PoolWorkerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `pool-worker-${name}-`))
  const process = startPoolWorker(['--queue', redis.url, '--name', name, '--data-dir', dataDir, '--lock-ms', '2000', '--threads', '1', ...extra])
  await process.ready
  return process
}

function floats(buffer: Buffer): Float32Array {
  return new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4)
}

function waitForStatus(workbench: Workbench, runId: string, test: (run: RunSummary) => boolean): Promise<RunSummary> {
  return new Promise((resolve) => {
    const off = workbench.events.subscribe((event, payload) => {
      const run = (payload as { run?: RunSummary }).run
      if (event === 'run.status' && run?.runId === runId && test(run)) {
        off()
        resolve(run)
      }
    })
  })
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
})
