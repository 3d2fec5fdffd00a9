import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { describeValidationError, WorkbenchError } from '../../shared/api/contract'
import { resolveRun } from '../../shared/run/resolveRun'
import { MAX_LISTED_UNREADABLE, RUN_STATUS_INFO, type BackendChoice, type EpochMetrics, type MetricPoint, type RunPlace, type RunSummary, type TrainConfig, type TrainRequestInput } from '../../shared/api/schemas'
import { didNotLearnWarning } from '../../shared/runOutcome'
import { knownClassNames } from '../data/datasetIds'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import { describeStorageError } from '../storage/storageErrors'
import { FromPool, FromWorker } from '../training/workerProtocol'
import type { WorkerHandle, WorkerLauncher } from '../processes/workerLauncher'
import { UnavailableError } from './serviceErrors'
import type { EventBus } from './eventBus'
import type { RunStore } from '../storage/runStore'

interface TrackedRun {
  summary: RunSummary
  resume: boolean
  /** Absent while the run waits in the queue. */
  worker?: WorkerHandle | RemoteHandle
  /** Serializes disk writes of one run so that run.json and metrics stay in message order. */
  writes: Promise<void>
  /** Set once a write failed (full disk, ...): the run is ending `failed` with this message. */
  storageError?: string
  finished: boolean
  done: Promise<RunSummary>
  resolveDone: (run: RunSummary) => void
}

/** A request that makes no sense for the run's current state (resume a completed run, ...). */
export class RunStateError extends WorkbenchError {
  constructor(message: string) {
    super('conflict', message)
    this.name = 'RunStateError'
  }
}

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

/** Every message a run's worker (a local process, or a pool worker through Redis) may send. */
const FromRunWorker = z.union([FromWorker, FromPool])

/**
 * A union's error says only "Invalid input": describe the problem against the message kind the worker
 * meant (the schema whose `type` it names), so the run's error says which field could not be stored.
 */
function closestSchemaError(raw: unknown): z.ZodError | undefined {
  const errors = [FromWorker, FromPool].map((schema) => schema.safeParse(raw).error).filter((error) => error !== undefined)
  return errors.find((error) => !error.issues.some((issue) => issue.path.length === 0 || issue.path[0] === 'type'))
}

/**
 * Starts each run in its own worker process and turns the worker's messages into stored state and API
 * events. At most `maxConcurrent` runs train at once; the rest wait in a queue. A worker that dies
 * without saying it finished (crash, SIGKILL, out of memory) leaves its run `interrupted`, resumable
 * from its last checkpoint, and the app running.
 */
export class TrainingSupervisor {
  private readonly tracked = new Map<string, TrackedRun>()
  /** The next run's colorIndex: one past the highest stored, read on the first start. */
  private nextColorIndex = 0
  private readonly queue: TrackedRun[] = []
  /** Runs that have ended but whose last writes (the final run.json) are still in flight. */
  private readonly settling = new Map<string, Promise<void>>()

  constructor(
    private readonly store: RunStore,
    private readonly events: EventBus,
    private readonly launchWorker: WorkerLauncher,
    private readonly maxConcurrent = 1,
    /** The Redis pool (`--queue`); without one, runs can only train here. */
    private readonly pool?: RemoteLauncher,
  ) {}

  get hasPool(): boolean {
    return !!this.pool
  }

  /** `labels`: the run's name and tags from the start (a lesson's runs), so no client ever sees it unlabelled. */
  async start(requested: TrainRequestInput, place: RunPlace = 'local', labels: Pick<RunSummary, 'name' | 'tags'> = {}): Promise<RunSummary> {
    if (place === 'pool' && !this.pool) throw new UnavailableError('no pool to train on: start the workbench with --queue redis://host:port (see README, "A pool of training workers")')
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

  private colorIndexRead?: Promise<void>
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
    const live = this.tracked.get(runId)
    if (live?.summary.status === 'paused') {
      live.worker?.send({ type: 'resume' })
      this.update(live, { status: 'running' })
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
    if (summary.place === 'pool' && !this.pool) throw new UnavailableError(`run ${runId} trained on the pool: open the workbench with --queue redis://host:port to resume it there`)
    // Another rung may continue it: the checkpoint holds weights and optimizer state, not backend state.
    const config = backend ? { ...summary.config, backend } : summary.config
    const queued: RunSummary = { ...summary, config, status: 'queued', error: undefined, result: undefined, warnings: undefined, checkpointEpoch: checkpoint?.epoch }
    await this.store.save(queued)
    return this.enqueue(queued, !resubmit)
  }

  pause(runId: string): boolean {
    const run = this.tracked.get(runId)
    if (!run?.worker || run.summary.status !== 'running') return false
    run.worker.send({ type: 'pause' })
    this.update(run, { status: 'paused' })
    return true
  }

  /** Graceful: the worker finishes its batch, evaluates and saves the model and reports `stopped`. A queued run never ran: `cancelled`. */
  stop(runId: string): boolean {
    const run = this.tracked.get(runId)
    if (!run) return false
    if (!run.worker) {
      this.queue.splice(this.queue.indexOf(run), 1)
      this.finish(run, { status: 'cancelled' })
      return true
    }
    const worker = run.worker
    if ('withdraw' in worker) {
      void this.stopRemote(run, worker)
      return true
    }
    worker.send({ type: 'stop' })
    return true
  }

  /**
   * A pool run still waiting in the queue is taken out of it and ends here like a locally queued run; one
   * whose job vanished ends at once (no worker would hear a stop); any other is asked to stop.
   */
  private async stopRemote(run: TrackedRun, worker: RemoteHandle): Promise<void> {
    const ending = (run.summary.status === 'queued' && (await worker.withdraw().catch(() => false))) || (await worker.jobVanished().catch(() => false))
    if (!ending) return worker.send({ type: 'stop' })
    if (run.worker !== worker) return
    worker.detach()
    run.worker = undefined
    this.finish(run, { status: run.summary.status === 'queued' ? 'stopped' : 'cancelled' })
  }

  /**
   * Pool runs whose job has vanished from the queue (Redis restarted without persistence) would wait
   * for good: each is ended `interrupted`, saying so, and can be resumed (resubmitted) or deleted.
   * Returns the ids of the runs so ended.
   */
  async reconcilePool(): Promise<string[]> {
    const ended: string[] = []
    for (const run of [...this.tracked.values()]) {
      const worker = run.worker
      if (run.summary.place !== 'pool' || !worker || !('jobVanished' in worker)) continue
      if (!(await worker.jobVanished().catch(() => false)) || run.worker !== worker || run.finished) continue
      worker.detach()
      run.worker = undefined
      this.finish(run, { status: 'interrupted', error: JOB_VANISHED })
      ended.push(run.summary.runId)
    }
    return ended
  }

  /** Immediate: the worker is killed mid-batch, its unfinished epoch discarded; the run keeps its last checkpoint and can be resumed. */
  cancel(runId: string): boolean {
    const run = this.tracked.get(runId)
    if (!run) return false
    if (!run.worker) return this.stop(runId)
    this.endings.set(run, { status: 'cancelled' })
    run.worker.kill()
    return true
  }

  /** The current summary of a run queued, training or paused in this process; undefined otherwise. */
  liveSummary(runId: string): RunSummary | undefined {
    return this.tracked.get(runId)?.summary
  }

  /** Whether the run is queued, training or paused in this process (so it may not be deleted). */
  isActive(runId: string): boolean {
    return this.tracked.has(runId)
  }

  /**
   * Applies the user's labels (name, tags) to a run. A live run's summary is changed in memory too, so
   * the supervisor's next save keeps them; every client hears of the change as a `run.status` event.
   */
  async annotate(runId: string, changes: Pick<RunSummary, 'name' | 'tags'>): Promise<RunSummary> {
    const live = this.tracked.get(runId)
    if (live) {
      this.update(live, changes)
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
  async settled(runId: string): Promise<void> {
    await this.settling.get(runId)
  }

  /** Resolves once everything the run reported so far (epochs, status) is on disk. */
  async written(runId: string): Promise<void> {
    await (this.tracked.get(runId)?.writes ?? this.settling.get(runId))
  }

  /** Resolves with the final summary once the run has ended, however it ended. */
  waitFor(runId: string): Promise<RunSummary> | undefined {
    return this.tracked.get(runId)?.done
  }

  workerPid(runId: string): number | undefined {
    return this.tracked.get(runId)?.worker?.pid
  }

  /**
   * Ends every local worker; their runs stay interrupted and resumable on disk. Pool runs train on: the
   * workbench only stops following them, and `reattach` picks them up when it opens again.
   */
  shutdown(): void {
    this.queue.length = 0
    for (const run of this.tracked.values()) {
      if (run.worker && 'detach' in run.worker) run.worker.detach()
      else run.worker?.kill()
    }
  }

  /** Follows a pool run that was queued or training when the workbench last closed; it backfills what it missed. */
  reattach(summary: RunSummary): void {
    if (!this.pool || this.tracked.has(summary.runId)) return
    const run = this.track(summary, false)
    this.connect(run, this.pool.attach())
  }

  private track(summary: RunSummary, resume: boolean): TrackedRun {
    let resolveDone!: (run: RunSummary) => void
    const done = new Promise<RunSummary>((resolve) => (resolveDone = resolve))
    const run: TrackedRun = { summary, resume, writes: Promise.resolve(), finished: false, done, resolveDone }
    this.tracked.set(summary.runId, run)
    this.events.emit('run.status', { runId: summary.runId, status: summary.status, run: summary })
    return run
  }

  private enqueue(summary: RunSummary, resume: boolean): RunSummary {
    const run = this.track(summary, resume)
    // The pool has its own queue and workers: a pool run is handed to it at once and stays `queued` until a worker takes it.
    if (summary.place === 'pool' && this.pool) {
      this.connect(run, this.pool.launch())
      return run.summary
    }
    this.queue.push(run)
    this.launchQueued()
    return run.summary
  }

  private connect(run: TrackedRun, worker: WorkerHandle): void {
    run.worker = worker
    worker.onMessage((raw) => this.handleMessage(run, raw))
    worker.onExit((code, signal) => this.handleExit(run, code, signal))
    if (run.summary.place === 'pool') this.sendStart(run)
  }

  private sendStart(run: TrackedRun): void {
    run.worker!.send({
      type: 'start',
      runId: run.summary.runId,
      config: run.summary.config,
      runDir: this.store.runDir(run.summary.runId),
      resume: run.resume,
      // Runs training side by side share the cores: every native kernel thread more than a core spins idle.
      ...(this.maxConcurrent > 1 && run.summary.place !== 'pool' ? { kernelThreads: Math.max(1, Math.floor(availableParallelism() / this.maxConcurrent)) } : {}),
    })
  }

  private launchQueued(): void {
    const running = [...this.tracked.values()].filter((run) => run.worker && run.summary.place !== 'pool').length
    for (let free = this.maxConcurrent - running; free > 0 && this.queue.length; free--) {
      const run = this.queue.shift()!
      this.connect(run, this.launchWorker())
      this.sendStart(run)
      this.update(run, { status: 'running' })
    }
  }

  private write(run: TrackedRun, write: () => Promise<void>): void {
    run.writes = run.writes.then(write).catch((error: unknown) => this.storageFailed(run, error))
  }

  /**
   * A run whose data can no longer be stored (full disk, read-only folder, ...) must not train on as if
   * it could: its worker is stopped and the run ends `failed`, saying why. What is on disk stays readable:
   * run.json is replaced atomically (the old one stays if the new one cannot be written) and metrics are
   * only appended.
   */
  private storageFailed(run: TrackedRun, error: unknown): void {
    // An ended run whose folder is gone was deleted: there is nothing left to save or to report as failed.
    if (run.finished && (error as NodeJS.ErrnoException)?.code === 'ENOENT') return
    const message = describeStorageError(error, 'saving run data')
    console.error(`run ${run.summary.runId}: ${message}`)
    if (run.storageError) return
    run.storageError = message
    const ending = { status: 'failed' as const, error: message }
    if (run.worker) {
      // Settled when the worker is gone (handleExit), whatever it reported before.
      this.endings.set(run, ending)
      run.worker.kill()
    } else {
      // Its final save is what failed: the run has ended already, say how it really ended.
      run.summary = { ...run.summary, ...ending }
      this.events.emit('run.status', { runId: run.summary.runId, status: 'failed', run: run.summary })
      if (!run.finished) {
        const queued = this.queue.indexOf(run)
        if (queued >= 0) this.queue.splice(queued, 1)
        this.finish(run, ending)
      }
    }
  }

  private update(run: TrackedRun, changes: Partial<RunSummary>): void {
    run.summary = { ...run.summary, ...changes }
    const snapshot = run.summary
    this.write(run, () => this.store.save(snapshot))
    // Every change is announced: clients show the backend, checkpoint and status as soon as they are known.
    this.events.emit('run.status', { runId: snapshot.runId, status: snapshot.status, run: snapshot })
  }

  private finish(run: TrackedRun, changes: Partial<RunSummary>): void {
    if (run.finished) return
    run.finished = true
    this.update(run, changes)
    const runId = run.summary.runId
    this.tracked.delete(runId)
    const writes = run.writes
    this.settling.set(runId, writes)
    void writes.then(() => {
      if (this.settling.get(runId) === writes) this.settling.delete(runId)
      run.resolveDone(run.summary)
    })
    this.launchQueued()
  }

  private handleMessage(run: TrackedRun, raw: unknown): void {
    // A run that can no longer store its data is being stopped: nothing it says now can be kept.
    if (run.storageError) return
    const parsed = FromRunWorker.safeParse(raw)
    if (!parsed.success) {
      const problem = describeValidationError(closestSchemaError(raw) ?? parsed.error)
      console.error(`run ${run.summary.runId}: malformed worker message: ${problem}`)
      // The worker's last word cannot be read: the run ends failed with the reason, not "interrupted" without one.
      if (isEnding(raw)) this.finishAfterExit(run, { status: 'failed', error: `the training process reported a result that cannot be stored (${problem})` })
      return
    }
    const message = parsed.data
    const runId = run.summary.runId
    switch (message.type) {
      case 'backend':
        this.update(run, { backend: message.report })
        break
      case 'progress': {
        const points: MetricPoint[] = message.points
        this.write(run, () => this.store.appendMetrics(runId, points.map((point) => ({ kind: 'point', point }))))
        const { type: _type, ...progress } = message
        this.events.emit('run.progress', { runId, epochs: run.summary.config.epochs, ...progress })
        break
      }
      case 'epoch': {
        const metrics: EpochMetrics = message.metrics
        this.write(run, () => this.store.appendMetrics(runId, [{ kind: 'epoch', metrics }]))
        this.events.emit('run.epoch', { runId, ...metrics })
        const best = run.summary.bestValidationAccuracy
        if (metrics.validationAccuracy !== undefined && (best === undefined || metrics.validationAccuracy > best)) {
          this.update(run, { bestValidationAccuracy: metrics.validationAccuracy })
        }
        break
      }
      case 'dataset':
        this.update(run, { classNames: message.classNames, data: message.data })
        break
      case 'unreadable': {
        const data = run.summary.data
        if (!data) break
        const listed = data.unreadable ?? []
        this.update(run, {
          data: {
            ...data,
            unreadable: listed.length < MAX_LISTED_UNREADABLE ? [...listed, message.file] : listed,
            unreadableCount: (data.unreadableCount ?? 0) + 1,
          },
        })
        break
      }
      case 'checkpoint':
        this.update(run, { checkpointEpoch: message.epoch })
        break
      case 'completed': {
        // A run stopped early is expected to be near chance; one that trained all its epochs is not.
        const warning = message.stopped ? undefined : didNotLearnWarning(run.summary.config, message.result, run.summary.classNames.length)
        const warnings = [...(warning ? [warning] : []), ...(message.notes ?? [])]
        this.finishAfterExit(run, { status: message.stopped ? 'stopped' : 'completed', result: message.result, warnings: warnings.length ? warnings : undefined })
        break
      }
      case 'failed':
        this.finishAfterExit(run, { status: 'failed', error: message.error })
        break
      case 'placed':
        // A pool worker took the run, fresh or from a checkpoint: what an earlier worker reported past
        // that point is dropped, so a run taken over after a crash counts nothing twice.
        this.write(run, () => this.store.truncateMetrics(runId, message.samplesSeen, message.epoch))
        this.update(run, { status: 'running', worker: message.worker })
        break
      case 'handed-back':
        this.update(run, { status: 'queued' })
        break
    }
  }

  /** The worker said how it ended; the run is settled when its process is gone. */
  private readonly endings = new Map<TrackedRun, Partial<RunSummary>>()
  private finishAfterExit(run: TrackedRun, changes: Partial<RunSummary>): void {
    this.endings.set(run, changes)
    this.update(run, changes)
  }

  private handleExit(run: TrackedRun, code: number | null, signal: string | null): void {
    const ending = this.endings.get(run)
    this.endings.delete(run)
    run.worker = undefined
    if (ending) return this.finish(run, ending)
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`
    this.finish(run, { status: 'interrupted', error: `the training process ${how} before finishing${exitHint(signal, run.summary.backend?.name)}` })
  }
}

function isEnding(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type
  return type === 'completed' || type === 'failed'
}

/** Signals that mean the process crashed in native code, rather than being stopped. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT'])

/** What a user can do about a worker that died: a crash in a native backend, or a kill (often memory). */
export function exitHint(signal: string | null, backend: string | undefined): string {
  if (signal && CRASH_SIGNALS.has(signal) && backend && backend !== 'wasm' && backend !== 'cpu') {
    return `: it crashed in the native code of the ${backend} backend; resume it from its checkpoint, and if it crashes again, train with the backend set to wasm`
  }
  if (signal === 'SIGKILL') return ' (by the user, or by the system when memory ran out: a smaller batch size or input needs less)'
  return ''
}
