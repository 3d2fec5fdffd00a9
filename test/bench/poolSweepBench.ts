/**
 * The pool's scaling: a 6-run sweep (lenet-relu on MNIST, limited) on two pool workers, each held to one
 * thread, beside the same sweep on one such worker. Real redis-server and worker processes, as a user runs them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createWorkbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig } from '../../shared/api/schemas'
import { redisMissing, startPoolWorker, startRedis } from '../helpers/redisServer'

const SWEEP = {
  config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 64, learningRate: 0.05, limit: 3000, seed: 3 }),
  learningRates: [0.01, 0.02, 0.05, 0.1, 0.2, 0.3],
}

/** Seconds from queueing the sweep to its last run's model being in the local run store, and how many runs each worker trained. */
async function sweepSeconds(workerCount: number): Promise<{ seconds: number; perWorker: string }> {
  const redis = await startRedis()
  const scratch = await mkdtemp(join(tmpdir(), 'pool-bench-'))
  const workers = Array.from({ length: workerCount }, (_, index) =>
    startPoolWorker(['--queue', redis.url, '--threads', '1', '--name', `bench-${index + 1}`, '--data-dir', join(scratch, `worker-${index + 1}`)]),
  )
  try {
    await Promise.all(workers.map((worker) => worker.ready))
    const workbench = await createWorkbench({ dataDir: join(scratch, 'workbench'), launchWorker: createNodeWorkerLauncher(), mode: 'cli', queue: redis.url })
    // Each worker probes its backend once at start: the clock starts when all have, so only training is timed.
    for (;;) {
      const pool = await workbench.handlers['pool.status']({})
      if (pool.workers.length === workerCount && pool.workers.every((worker) => worker.backend !== 'probing')) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const started = performance.now()
    const { runIds } = await workbench.handlers['training.sweep']({ ...SWEEP, place: 'pool' })
    for (const runId of runIds) {
      const run = await workbench.supervisor.waitFor(runId)
      if (run && run.status !== 'completed') throw new Error(`run ${runId} ${run.status}: ${run.error}`)
    }
    const seconds = (performance.now() - started) / 1000
    const counts = new Map<string, number>()
    for (const runId of runIds) {
      const worker = (await workbench.store.get(runId)).worker ?? '?'
      counts.set(worker, (counts.get(worker) ?? 0) + 1)
    }
    workbench.close()
    return { seconds, perWorker: [...counts.values()].join('/') }
  } finally {
    for (const worker of workers) worker.child.kill('SIGTERM')
    await Promise.all(workers.map((worker) => worker.exited))
    await redis.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}

/** The bench line: both sweeps side by side and their ratio (<= 0.6 is the goal). */
export async function benchPoolSweep(): Promise<string> {
  const missing = redisMissing()
  if (missing) return `pool sweep: skipped (${missing})`
  const one = await sweepSeconds(1)
  const two = await sweepSeconds(2)
  return (
    `pool sweep (6 runs lenet-relu, MNIST --limit ${SWEEP.config.limit}, ${SWEEP.config.epochs} epochs, workers at 1 thread each): ` +
    `1 worker ${one.seconds.toFixed(1)} s, 2 workers ${two.seconds.toFixed(1)} s (runs per worker ${two.perWorker}), ratio ${(two.seconds / one.seconds).toFixed(2)}x (goal <= 0.6x)`
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchPoolSweep().then(
    (line) => {
      console.log(line)
      process.exit(0)
    },
    (error: unknown) => {
      console.error(`pool bench failed: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(1)
    },
  )
}
