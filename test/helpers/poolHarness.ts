import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { createWorkbench, type Workbench } from '../../main/services/workbench'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { readCheckpointInfo } from '../../main/storage/checkpointInfo'
import type { RunSummary } from '../../shared/api/schemas'
import { startPoolWorker, type PoolWorkerProcess, type RedisServer } from './redisServer'

export async function openWorkbench(queue: string, dataDir?: string): Promise<{ workbench: Workbench; dir: string }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'pool-wb-')))
  return { dir, workbench: await createWorkbench({ dataDir: dir, launchWorker: createNodeWorkerLauncher(), mode: 'cli', queue }) }
}

/** A real pool worker process with a short lock (2 s), one thread, its own scratch folder. */
export async function poolWorker(redis: RedisServer, name: string, extra: string[] = []): Promise<PoolWorkerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `pool-worker-${name}-`))
  const process = startPoolWorker(['--queue', redis.url, '--name', name, '--data-dir', dataDir, '--lock-ms', '2000', '--threads', '1', ...extra])
  await process.ready
  return process
}

export function waitForStatus(workbench: Workbench, runId: string, test: (run: RunSummary) => boolean): Promise<RunSummary> {
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

/** A worker process and the training processes it started: SIGSTOP/SIGCONT them together, as a closed laptop lid would. */
export function signalWorkerTree(worker: PoolWorkerProcess, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = worker.child.pid!
  let children: number[] = []
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
  } catch {
    // pgrep exits 1 when the worker has no children
  }
  for (const child of [...children, pid]) signalIfAlive(child, signal)
}

/** A process that exited between pgrep and the signal (a training process that just finished) is no error. */
function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/**
 * What every pool fault test must hold: each epoch once, the curve's samples strictly increasing up to
 * the full count, and the final model byte-equal to the checkpoint chain's last state.
 */
export async function expectCountedOnce(workbench: Workbench, dir: string, runId: string, epochs: number, samplesPerEpoch: number): Promise<void> {
  const detail = await workbench.store.detail(runId)
  expect(detail.epochs.map((epoch) => epoch.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1))
  for (let i = 1; i < detail.points.length; i++) expect(detail.points[i].samples).toBeGreaterThan(detail.points[i - 1].samples)
  expect(detail.points.at(-1)!.samples).toBe(epochs * samplesPerEpoch)
  const runDir = join(dir, 'runs', runId)
  const checkpoint = await readCheckpointInfo(runDir)
  expect(checkpoint?.epoch).toBe(epochs)
  const model = await readFile(join(runDir, 'model', 'weights.bin'))
  const last = await readFile(join(runDir, checkpoint!.folder, 'weights.bin'))
  expect(model.equals(last), 'the final model is the last checkpoint').toBe(true)
}
