import { WorkbenchError } from '../../shared/api/contract'
import { resolveRun } from '../../shared/run/resolveRun'
import { RUN_STATUS_INFO, type BackendChoice, type RunPlace, type RunSummary, type TrainConfig, type TrainRequestInput } from '../../shared/api/schemas'
import { knownClassNames } from '../data/datasetIds'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import type { WorkerLauncher } from '../processes/workerLauncher'
import { UnavailableError } from './serviceErrors'
import type { EventBus } from './eventBus'
import type { RunStore } from '../storage/runStore'
import { RunRecorder } from './runRecorder'
import { RunQueue } from './runQueue'
import { isRemote, PoolRuns, type RemoteLauncher } from './poolRuns'

export type { RemoteHandle, RemoteLauncher } from './poolRuns'
export { exitHint } from './runRecorder'

/** A request that makes no sense for the run's current state (resume a completed run, ...). */
export class RunStateError extends WorkbenchError {
  constructor(message: string) {
    super('conflict', message)
    this.name = 'RunStateError'
  }
}

/**
 * Starts each run in its own worker process and turns the worker's messages into stored state and API
 * events. At most `maxConcurrent` runs train at once; the rest wait in a queue. A worker that dies
 * without saying it finished (crash, SIGKILL, out of memory) leaves its run `interrupted`, resumable
 * from its last checkpoint, and the app running.
 *
 * The facade over three parts: the queue (runQueue.ts: who trains next), the recorder (runRecorder.ts:
 * worker messages into the run store and events) and the pool's runs (poolRuns.ts).
 */
export class TrainingSupervisor {
  private readonly recorder: RunRecorder
  private readonly queue: RunQueue
  private readonly poolRuns: PoolRuns
  /** The next run's colorIndex: one past the highest stored, read on the first start. */
  private nextColorIndex = 0
  private colorIndexRead?: Promise<void>

  constructor(
    private readonly store: RunStore,
    private readonly events: EventBus,
    launchWorker: WorkerLauncher,
    maxConcurrent = 1,
    /** The Redis pool (`--queue`); without one, runs can only train here. */
    pool?: RemoteLauncher,
  ) {
    this.recorder = new RunRecorder(store, events, (run) => this.queue.ended(run))
    this.queue = new RunQueue(this.recorder, launchWorker, maxConcurrent)
    this.poolRuns = new PoolRuns(this.recorder, pool)
  }

  get hasPool(): boolean {
    return this.poolRuns.available
  }

  /** `labels`: the run's name and tags from the start (a lesson's runs), so no client ever sees it unlabelled. */
  async start(requested: TrainRequestInput, place: RunPlace = 'local', labels: Pick<RunSummary, 'name' | 'tags'> = {}): Promise<RunSummary> {
    if (place === 'pool' && !this.hasPool) throw new UnavailableError('no pool to train on: start the workbench with --queue redis://host:port (see README, "A pool of training workers")')
    // The stored config says what really ran: every setting the request left to its preset filled in.
    const config: TrainConfig = resolveRun(requested)
    const summary: RunSummary = {
      runId: this.store.newRunId(),
      config,
      status: 'queued',
      createdAt: new Date().toISOString(),
      // A folder's classes are its subfolders: the worker reports them once it has read the folder.
      classNames: knownClassNames(config.dataset),
      colorIndex: await this.takeColorIndex(),
      place,
      ...labels,
    }
    await this.store.save(summary)
    return this.enqueue(summary, false)
  }

  private async takeColorIndex(): Promise<number> {
    // Read once, however many starts arrive together; each then takes the next number in turn.
    this.colorIndexRead ??= this.store.list().then(
      (runs) => {
        this.nextColorIndex = Math.max(-1, ...runs.map((run) => run.colorIndex ?? -1)) + 1
      },
      () => {
        this.nextColorIndex = 0
      },
    )
    await this.colorIndexRead
    return this.nextColorIndex++
  }

  /** Wakes a paused run, or continues an ended one from its last checkpoint, its history cut back to it. */
  async resume(runId: string, backend?: BackendChoice): Promise<RunSummary> {
    const live = this.recorder.live.get(runId)
    if (live?.summary.status === 'paused') {
      live.worker?.send({ type: 'resume' })
      this.recorder.update(live, { status: 'running' })
      return live.summary
    }
    if (live) throw new RunStateError(`run ${runId} is ${live.summary.status}; only a paused or ended run can be resumed`)
    // A run that has just ended may still have its final save in flight: read it once that has landed.
    await this.settled(runId)
    const summary = await this.store.get(runId)
    if (RUN_STATUS_INFO[summary.status].active || !RUN_STATUS_INFO[summary.status].resumable) throw new RunStateError(`run ${runId} is ${summary.status}; it cannot be resumed`)
    const checkpoint = await readCheckpointInfo(this.store.runDir(runId))
    // A pool run whose job vanished before its first checkpoint is resubmitted from the start.
    const resubmit = !checkpoint && summary.place === 'pool'
    if (!checkpoint && !resubmit) throw new RunStateError(`run ${runId} has no checkpoint: it ended before finishing its first epoch`)
    if (checkpoint && checkpoint.epoch >= summary.config.epochs) throw new RunStateError(`run ${runId} already trained all ${summary.config.epochs} epochs`)
    await this.store.truncateMetrics(runId, checkpoint?.samplesSeen ?? 0, checkpoint?.epoch ?? 0)
    if (summary.place === 'pool' && !this.hasPool) throw new UnavailableError(`run ${runId} trained on the pool: open the workbench with --queue redis://host:port to resume it there`)
    // Another rung may continue it: the checkpoint holds weights and optimizer state, not backend state.
    const config = backend ? { ...summary.config, backend } : summary.config
    const queued: RunSummary = { ...summary, config, status: 'queued', error: undefined, result: undefined, warnings: undefined, checkpointEpoch: checkpoint?.epoch }
    await this.store.save(queued)
    return this.enqueue(queued, !resubmit)
  }

  pause(runId: string): boolean {
    const run = this.recorder.live.get(runId)
    if (!run?.worker || run.summary.status !== 'running') return false
    run.worker.send({ type: 'pause' })
    this.recorder.update(run, { status: 'paused' })
    return true
  }

  /** Graceful: the worker finishes its batch, evaluates and saves the model and reports `stopped`. A queued run never ran: `cancelled`. */
  stop(runId: string): boolean {
    const run = this.recorder.live.get(runId)
    if (!run) return false
    // Ending takes it out of the queue (RunQueue.ended).
    if (!run.worker) this.recorder.finish(run, { status: 'cancelled' })
    else if (isRemote(run.worker)) void this.poolRuns.stop(run, run.worker)
    else run.worker.send({ type: 'stop' })
    return true
  }

  /**
   * Pool runs whose job has vanished from the queue (Redis restarted without persistence) would wait
   * for good: each is ended `interrupted`, saying so, and can be resumed (resubmitted) or deleted.
   * Returns the ids of the runs so ended.
   */
  reconcilePool(): Promise<string[]> {
    return this.poolRuns.reconcile()
  }

  /** Immediate: the worker is killed mid-batch, its unfinished epoch discarded; the run keeps its last checkpoint and can be resumed. */
  cancel(runId: string): boolean {
    const run = this.recorder.live.get(runId)
    if (!run) return false
    if (!run.worker) return this.stop(runId)
    this.recorder.killWorker(run, { status: 'cancelled' })
    return true
  }

  /** The current summary of a run queued, training or paused in this process; undefined otherwise. */
  liveSummary(runId: string): RunSummary | undefined {
    return this.recorder.live.get(runId)?.summary
  }

  /** Whether the run is queued, training or paused in this process (so it may not be deleted). */
  isActive(runId: string): boolean {
    return this.recorder.live.has(runId)
  }

  /**
   * Applies the user's labels (name, tags) to a run. A live run's summary is changed in memory too, so
   * the supervisor's next save keeps them; every client hears of the change as a `run.status` event.
   */
  async annotate(runId: string, changes: Pick<RunSummary, 'name' | 'tags'>): Promise<RunSummary> {
    const live = this.recorder.live.get(runId)
    if (live) {
      this.recorder.update(live, changes)
      await live.writes
      return live.summary
    }
    const summary = { ...(await this.store.get(runId)), ...changes }
    await this.store.save(summary)
    this.events.emit('run.status', { runId, status: summary.status, run: summary })
    return summary
  }

  /**
   * Resolves once nothing of the run is being written any more: a delete waits for it, so the ended run's
   * final save never lands in (or fails on) a folder deleted under it.
   */
  settled(runId: string): Promise<void> {
    return this.recorder.settled(runId)
  }

  /** Resolves once everything the run reported so far (epochs, status) is on disk. */
  written(runId: string): Promise<void> {
    return this.recorder.written(runId)
  }

  /** Resolves with the final summary once the run has ended, however it ended. */
  waitFor(runId: string): Promise<RunSummary> | undefined {
    return this.recorder.live.get(runId)?.done
  }

  workerPid(runId: string): number | undefined {
    return this.recorder.live.get(runId)?.worker?.pid
  }

  /**
   * Ends every local worker; their runs stay interrupted and resumable on disk. Pool runs train on: the
   * workbench only stops following them, and `reattach` picks them up when it opens again.
   */
  shutdown(): void {
    this.queue.clear()
    for (const run of this.recorder.live.values()) {
      if (run.worker && isRemote(run.worker)) run.worker.detach()
      else run.worker?.kill()
    }
  }

  /** Follows a pool run that was queued or training when the workbench last closed; it backfills what it missed. */
  reattach(summary: RunSummary): void {
    this.poolRuns.reattach(summary)
  }

  private enqueue(summary: RunSummary, resume: boolean): RunSummary {
    const run = this.recorder.track(summary, resume)
    // The pool has its own queue and workers: a pool run is handed to it at once and stays `queued` until a worker takes it.
    if (summary.place === 'pool' && this.hasPool) this.poolRuns.launch(run)
    else this.queue.add(run)
    return run.summary
  }
}
