import type { RunSummary } from '../../shared/api/schemas'
import type { WorkerHandle } from '../processes/workerLauncher'
import type { RunRecorder, TrackedRun } from './runRecorder'

/** A run trained on the pool (main/pool): messages arrive from its Redis stream instead of a child process. */
export interface RemoteHandle extends WorkerHandle {
  /** Stops following without ending the run: it trains on, and a reopened workbench picks it up again. */
  detach(): void
  /** Takes the run out of the queue if no worker has it yet; false when one has (then `stop` it). */
  withdraw(): Promise<boolean>
  /** True only when the pool answers and the run's job is gone from its queue. */
  jobVanished(): Promise<boolean>
}

const JOB_VANISHED = "its job vanished from the pool's queue (Redis restarted without persistence?): Resume queues it again, Delete removes it"

/** Where runs go with `place: 'pool'`: launch queues a job, attach follows one queued before the workbench opened. */
export interface RemoteLauncher {
  launch(): RemoteHandle
  attach(): RemoteHandle
}

export function isRemote(worker: WorkerHandle): worker is RemoteHandle {
  return 'withdraw' in worker && 'detach' in worker && 'jobVanished' in worker
}

/**
 * The runs that train on the Redis pool (`--queue`): handed to it at once, since it has its own queue and
 * workers, followed again when the workbench reopens, stopped through it, and ended when their job vanished.
 */
export class PoolRuns {
  constructor(
    private readonly recorder: RunRecorder,
    /** Without a pool, runs can only train here. */
    private readonly pool?: RemoteLauncher,
  ) {}

  get available(): boolean {
    return !!this.pool
  }

  /** Queues the run on the pool; it stays `queued` until a pool worker takes it. */
  launch(run: TrackedRun): void {
    this.recorder.startOn(run, this.pool!.launch())
  }

  /** Follows a pool run that was queued or training when the workbench last closed; it backfills what it missed. */
  reattach(summary: RunSummary): void {
    if (!this.pool || this.recorder.live.has(summary.runId)) return
    const run = this.recorder.track(summary, false)
    this.recorder.startOn(run, this.pool.attach())
  }

  /**
   * A pool run still waiting in the queue is taken out of it and ends here like a locally queued run; one
   * whose job vanished ends at once (no worker would hear a stop); any other is asked to stop.
   */
  async stop(run: TrackedRun, worker: RemoteHandle): Promise<void> {
    const ending = (run.summary.status === 'queued' && (await worker.withdraw().catch(() => false))) || (await worker.jobVanished().catch(() => false))
    if (!ending) return worker.send({ type: 'stop' })
    if (run.worker !== worker) return
    worker.detach()
    run.worker = undefined
    this.recorder.finish(run, { status: run.summary.status === 'queued' ? 'stopped' : 'cancelled' })
  }

  /**
   * Pool runs whose job has vanished from the queue (Redis restarted without persistence) would wait
   * for good: each is ended `interrupted`, saying so, and can be resumed (resubmitted) or deleted.
   * Returns the ids of the runs so ended.
   */
  async reconcile(): Promise<string[]> {
    const ended: string[] = []
    for (const run of [...this.recorder.live.values()]) {
      const worker = run.worker
      if (run.summary.place !== 'pool' || !worker || !isRemote(worker)) continue
      if (!(await worker.jobVanished().catch(() => false)) || run.worker !== worker || run.finished) continue
      worker.detach()
      run.worker = undefined
      this.recorder.finish(run, { status: 'interrupted', error: JOB_VANISHED })
      ended.push(run.summary.runId)
    }
    return ended
  }
}
