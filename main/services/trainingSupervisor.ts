import { describeValidationError } from '../../shared/api/contract'
import type { EpochMetrics, MetricPoint, RunSummary, TrainConfig } from '../../shared/api/schemas'
import { DATASET_CLASS_NAMES } from '../data/datasetRegistry'
import { FromWorker } from '../training/workerProtocol'
import type { WorkerHandle, WorkerLauncher } from '../training/workerLauncher'
import type { EventBus } from './eventBus'
import type { RunStore } from './runStore'

interface ActiveRun {
  summary: RunSummary
  worker: WorkerHandle
  /** Serializes disk writes of one run so that run.json and metrics stay in message order. */
  writes: Promise<void>
  finished: boolean
  done: Promise<RunSummary>
  resolveDone: (run: RunSummary) => void
}

/**
 * Starts each run in its own worker process and turns the worker's messages into stored state and API
 * events. A worker that dies without saying it finished (crash, SIGKILL, out of memory) leaves its run
 * `interrupted` and the app running.
 */
export class TrainingSupervisor {
  private readonly active = new Map<string, ActiveRun>()

  constructor(
    private readonly store: RunStore,
    private readonly events: EventBus,
    private readonly launchWorker: WorkerLauncher,
  ) {}

  async start(config: TrainConfig): Promise<RunSummary> {
    const runId = this.store.newRunId()
    const summary: RunSummary = {
      runId,
      config,
      status: 'running',
      createdAt: new Date().toISOString(),
      classNames: DATASET_CLASS_NAMES[config.dataset],
    }
    await this.store.save(summary)
    const worker = this.launchWorker()
    let resolveDone!: (run: RunSummary) => void
    const done = new Promise<RunSummary>((resolve) => (resolveDone = resolve))
    const run: ActiveRun = { summary, worker, writes: Promise.resolve(), finished: false, done, resolveDone }
    this.active.set(runId, run)
    worker.onMessage((raw) => this.handleMessage(run, raw))
    worker.onExit((code, signal) => this.handleExit(run, code, signal))
    worker.send({ type: 'start', runId, config, runDir: this.store.runDir(runId) })
    this.events.emit('run.status', { runId, status: summary.status, run: summary })
    return summary
  }

  /** Graceful: the worker finishes its batch, saves the model and reports `stopped`. */
  stop(runId: string): boolean {
    const run = this.active.get(runId)
    if (!run) return false
    run.worker.send({ type: 'stop' })
    return true
  }

  /** Resolves with the final summary once the run has ended, however it ended. */
  waitFor(runId: string): Promise<RunSummary> | undefined {
    return this.active.get(runId)?.done
  }

  isActive(runId: string): boolean {
    return this.active.has(runId)
  }

  workerPid(runId: string): number | undefined {
    return this.active.get(runId)?.worker.pid
  }

  /** Ends every worker; their runs stay interrupted and resumable on disk. */
  shutdown(): void {
    for (const run of this.active.values()) run.worker.kill()
  }

  private enqueue(run: ActiveRun, write: () => Promise<void>): void {
    run.writes = run.writes.then(write).catch((error: unknown) => {
      console.error(`run ${run.summary.runId}: could not write run data: ${(error as Error).message}`)
    })
  }

  private update(run: ActiveRun, changes: Partial<RunSummary>): void {
    run.summary = { ...run.summary, ...changes }
    const snapshot = run.summary
    this.enqueue(run, () => this.store.save(snapshot))
    if (changes.status) this.events.emit('run.status', { runId: snapshot.runId, status: snapshot.status, run: snapshot })
  }

  private handleMessage(run: ActiveRun, raw: unknown): void {
    const parsed = FromWorker.safeParse(raw)
    if (!parsed.success) {
      console.error(`run ${run.summary.runId}: malformed worker message: ${describeValidationError(parsed.error)}`)
      return
    }
    const message = parsed.data
    const runId = run.summary.runId
    switch (message.type) {
      case 'backend':
        this.update(run, { backend: message.report })
        // Re-announce so every client shows the backend as soon as it is known.
        this.events.emit('run.status', { runId, status: run.summary.status, run: run.summary })
        break
      case 'progress': {
        const points: MetricPoint[] = message.points
        this.enqueue(run, () => this.store.appendMetrics(runId, points.map((point) => ({ kind: 'point', point }))))
        const { type: _type, ...progress } = message
        this.events.emit('run.progress', { runId, epochs: run.summary.config.epochs, ...progress })
        break
      }
      case 'epoch': {
        const metrics: EpochMetrics = message.metrics
        this.enqueue(run, () => this.store.appendMetrics(runId, [{ kind: 'epoch', metrics }]))
        this.events.emit('run.epoch', { runId, ...metrics })
        break
      }
      case 'completed':
        run.finished = true
        this.update(run, { status: message.stopped ? 'stopped' : 'completed', result: message.result })
        break
      case 'failed':
        run.finished = true
        this.update(run, { status: 'failed', error: message.error })
        break
    }
  }

  private handleExit(run: ActiveRun, code: number | null, signal: string | null): void {
    if (!run.finished) {
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`
      this.update(run, { status: 'interrupted', error: `the training process ${how} before finishing` })
    }
    this.active.delete(run.summary.runId)
    void run.writes.then(() => run.resolveDone(run.summary))
  }
}
