import { z } from 'zod'
import { describeValidationError } from '../../shared/api/contract'
import { MAX_LISTED_UNREADABLE, type EpochMetrics, type RunSummary, type SkippedFile } from '../../shared/api/schemas'
import { didNotLearnWarning } from '../../shared/runOutcome'
import { describeStorageError } from '../storage/storageErrors'
import { FromPool, FromWorker } from '../training/workerProtocol'
import type { WorkerHandle } from '../processes/workerLauncher'
import type { EventBus } from './eventBus'
import type { RunStore } from '../storage/runStore'

/** A run queued, training or paused in this process. */
export interface TrackedRun {
  summary: RunSummary
  resume: boolean
  /** Absent while the run waits in the queue. */
  worker?: WorkerHandle
  /** Serializes disk writes of one run so that run.json and metrics stay in message order. */
  writes: Promise<void>
  /** Set once a write failed (full disk, ...): the run is ending `failed` with this message. */
  storageError?: string
  finished: boolean
  done: Promise<RunSummary>
  resolveDone: (run: RunSummary) => void
}

/** Every message a run's worker (a local process, or a pool worker through Redis) may send. */
const FromRunWorker = z.union([FromWorker, FromPool])
type RunWorkerMessage = z.infer<typeof FromRunWorker>

/**
 * A union's error says only "Invalid input": describe the problem against the message kind the worker
 * meant (the schema whose `type` it names), so the run's error says which field could not be stored.
 */
function closestSchemaError(raw: unknown): z.ZodError | undefined {
  const errors = [FromWorker, FromPool].map((schema) => schema.safeParse(raw).error).filter((error) => error !== undefined)
  return errors.find((error) => !error.issues.some((issue) => issue.path.length === 0 || issue.path[0] === 'type'))
}

/**
 * Turns what each live run's worker says into stored state (run.json, metrics) and API events, in the
 * order it was said, and settles the run once its worker is gone. A worker that dies without saying it
 * finished leaves its run `interrupted`; a run whose data can no longer be stored ends `failed`.
 */
export class RunRecorder {
  /** Runs queued, training or paused in this process, by id. */
  readonly live = new Map<string, TrackedRun>()
  /** Runs that have ended but whose last writes (the final run.json) are still in flight. */
  private readonly settling = new Map<string, Promise<void>>()
  /** How a run ends once its worker is gone: what the worker said, or why it was killed. */
  private readonly endings = new Map<TrackedRun, Partial<RunSummary>>()

  constructor(
    private readonly store: RunStore,
    private readonly events: EventBus,
    /** Told once a run has ended: its place in the queue, or its turn to train, is free. */
    private readonly onEnded: (run: TrackedRun) => void,
  ) {}

  track(summary: RunSummary, resume: boolean): TrackedRun {
    let resolveDone!: (run: RunSummary) => void
    const done = new Promise<RunSummary>((resolve) => (resolveDone = resolve))
    const run: TrackedRun = { summary, resume, writes: Promise.resolve(), finished: false, done, resolveDone }
    this.live.set(summary.runId, run)
    this.events.emit('run.status', { runId: summary.runId, status: summary.status, run: summary })
    return run
  }

  /** Hands the run to its worker: what the worker says is recorded from now on, then it is told to start. */
  startOn(run: TrackedRun, worker: WorkerHandle, kernelThreads?: number): void {
    run.worker = worker
    worker.onMessage((raw) => this.handleMessage(run, raw))
    worker.onExit((code, signal) => this.handleExit(run, code, signal))
    worker.send({
      type: 'start',
      runId: run.summary.runId,
      config: run.summary.config,
      runDir: this.store.runDir(run.summary.runId),
      resume: run.resume,
      ...(kernelThreads !== undefined ? { kernelThreads } : {}),
    })
  }

  /** Kills the run's worker mid-batch; the run ends with `ending` once the process is gone. */
  killWorker(run: TrackedRun, ending: Partial<RunSummary>): void {
    this.endings.set(run, ending)
    run.worker?.kill()
  }

  update(run: TrackedRun, changes: Partial<RunSummary>): void {
    run.summary = { ...run.summary, ...changes }
    const snapshot = run.summary
    this.write(run, () => this.store.save(snapshot))
    // Every change is announced: clients show the backend, checkpoint and status as soon as they are known.
    this.events.emit('run.status', { runId: snapshot.runId, status: snapshot.status, run: snapshot })
  }

  finish(run: TrackedRun, changes: Partial<RunSummary>): void {
    if (run.finished) return
    run.finished = true
    this.update(run, changes)
    const runId = run.summary.runId
    this.live.delete(runId)
    const writes = run.writes
    this.settling.set(runId, writes)
    void writes.then(() => {
      if (this.settling.get(runId) === writes) this.settling.delete(runId)
      run.resolveDone(run.summary)
    })
    this.onEnded(run)
  }

  /** Resolves once nothing of the run is being written any more. */
  async settled(runId: string): Promise<void> {
    await this.settling.get(runId)
  }

  /** Resolves once everything the run reported so far (epochs, status) is on disk. */
  async written(runId: string): Promise<void> {
    await (this.live.get(runId)?.writes ?? this.settling.get(runId))
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
    // Settled when the worker is gone (handleExit), whatever it reported before.
    if (run.worker) return this.killWorker(run, ending)
    // Its final save is what failed: the run has ended already, say how it really ended.
    run.summary = { ...run.summary, ...ending }
    this.events.emit('run.status', { runId: run.summary.runId, status: 'failed', run: run.summary })
    // Still queued: it leaves the queue (onEnded) and ends here.
    this.finish(run, ending)
  }

  private handleMessage(run: TrackedRun, raw: unknown): void {
    // A run that can no longer store its data is being stopped: nothing it says now can be kept.
    if (run.storageError) return
    const parsed = FromRunWorker.safeParse(raw)
    if (parsed.success) return this.record(run, parsed.data)
    const problem = describeValidationError(closestSchemaError(raw) ?? parsed.error)
    console.error(`run ${run.summary.runId}: malformed worker message: ${problem}`)
    // The worker's last word cannot be read: the run ends failed with the reason, not "interrupted" without one.
    if (isEnding(raw)) this.finishAfterExit(run, { status: 'failed', error: `the training process reported a result that cannot be stored (${problem})` })
  }

  private record(run: TrackedRun, message: RunWorkerMessage): void {
    const runId = run.summary.runId
    switch (message.type) {
      case 'backend':
        return this.update(run, { backend: message.report })
      case 'progress': {
        const points = message.points
        this.write(run, () => this.store.appendMetrics(runId, points.map((point) => ({ kind: 'point', point }))))
        const { type: _type, ...progress } = message
        return this.events.emit('run.progress', { runId, epochs: run.summary.config.epochs, ...progress })
      }
      case 'epoch':
        return this.recordEpoch(run, message.metrics)
      case 'dataset':
        return this.update(run, { classNames: message.classNames, data: message.data })
      case 'unreadable':
        return this.recordUnreadable(run, message.file)
      case 'checkpoint':
        return this.update(run, { checkpointEpoch: message.epoch })
      case 'completed': {
        // A run stopped early is expected to be near chance; one that trained all its epochs is not.
        const warning = message.stopped ? undefined : didNotLearnWarning(run.summary.config, message.result, run.summary.classNames.length)
        const warnings = [...(warning ? [warning] : []), ...(message.notes ?? [])]
        return this.finishAfterExit(run, { status: message.stopped ? 'stopped' : 'completed', result: message.result, warnings: warnings.length ? warnings : undefined })
      }
      case 'failed':
        return this.finishAfterExit(run, { status: 'failed', error: message.error })
      case 'placed':
        // A pool worker took the run, fresh or from a checkpoint: what an earlier worker reported past
        // that point is dropped, so a run taken over after a crash counts nothing twice.
        this.write(run, () => this.store.truncateMetrics(runId, message.samplesSeen, message.epoch))
        return this.update(run, { status: 'running', worker: message.worker })
      case 'handed-back':
        return this.update(run, { status: 'queued' })
    }
  }

  private recordEpoch(run: TrackedRun, metrics: EpochMetrics): void {
    const runId = run.summary.runId
    this.write(run, () => this.store.appendMetrics(runId, [{ kind: 'epoch', metrics }]))
    this.events.emit('run.epoch', { runId, ...metrics })
    const best = run.summary.bestValidationAccuracy
    if (metrics.validationAccuracy !== undefined && (best === undefined || metrics.validationAccuracy > best)) {
      this.update(run, { bestValidationAccuracy: metrics.validationAccuracy })
    }
  }

  private recordUnreadable(run: TrackedRun, file: SkippedFile): void {
    const data = run.summary.data
    if (!data) return
    const listed = data.unreadable ?? []
    this.update(run, {
      data: {
        ...data,
        unreadable: listed.length < MAX_LISTED_UNREADABLE ? [...listed, file] : listed,
        unreadableCount: (data.unreadableCount ?? 0) + 1,
      },
    })
  }

  /** The worker said how it ended; the run is settled when its process is gone. */
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
