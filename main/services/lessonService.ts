import { randomBytes } from 'node:crypto'
import { RUN_STATUS_INFO, type TrainConfigInput } from '../../shared/api/schemas'
import { resolveRun } from '../../shared/run/resolveRun'
import { lessonRunsForSeed, LESSONS } from '../../shared/lessons/lessonCatalog'
import { lessonRunOutcome } from '../../shared/lessons/lessonOutcome'
import type { Lesson, LessonAttempt, LessonId, LessonRunOutcome, LessonVerdict } from '../../shared/lessons/lessonTypes'
import { lessonVerdict } from '../../shared/lessons/lessonVerdicts'
import { WorkbenchError } from '../../shared/api/contract'
import { RunNotFoundError, type RunStore } from '../storage/runStore'
import type { EventBus } from './eventBus'
import type { TrainingSupervisor } from './trainingSupervisor'
import { LessonAttemptStore } from './lessonAttemptStore'

export interface LessonServiceOptions {
  store: RunStore
  supervisor: TrainingSupervisor
  events: EventBus
  /** Makes a data set ready to train on (downloads CIFAR-10, checks a folder grant): the data service's. */
  prepareDataset(dataset: string): Promise<string>
  /** The test accuracy of the members' averaged probabilities, computed in a worker process. */
  evaluateEnsemble(runIds: string[]): Promise<NonNullable<LessonAttempt['ensemble']>>
  /** Default: the catalogue. Tests give their own. */
  lessons?: readonly Lesson[]
  /** Caps every lesson run's epochs and training images (`WORKBENCH_LESSON_CAP`, tests); the verdict then says the settings changed. */
  cap?: { epochs?: number; limit?: number }
}

/** A lesson run's settings with the test cap applied: at most `epochs` epochs on at most `limit` images. */
function capped(config: TrainConfigInput, cap: LessonServiceOptions['cap']): TrainConfigInput {
  if (!cap) return config
  return {
    ...config,
    ...(cap.epochs !== undefined ? { epochs: Math.min(cap.epochs, config.epochs ?? cap.epochs) } : {}),
    ...(cap.limit !== undefined ? { limit: Math.min(cap.limit, config.limit ?? cap.limit) } : {}),
  }
}

function logRefreshError(attemptId: string, error: unknown): void {
  console.error(`lesson attempt ${attemptId}: ${error instanceof Error ? error.message : String(error)}`)
}

/** Whether nothing more will change in an attempt: every run ended, and the ensemble (if any) evaluated or failed. */
export function attemptSettled(attempt: LessonAttempt, lesson: Lesson): boolean {
  if (attempt.runs.some((run) => RUN_STATUS_INFO[run.status].active)) return false
  const allCompleted = attempt.runs.every((run) => run.status === 'completed')
  return !lesson.ensemble || !allCompleted || attempt.ensemble !== undefined || attempt.ensembleError !== undefined
}

/**
 * Lessons as attempts: `start` queues a lesson's runs through the training supervisor (ordinary runs,
 * tagged `lesson:<id>`, named `<title> · <label>`) and stores the attempt; every status or epoch event of
 * one of its runs rebuilds the attempt from the run store, recomputes the verdict, stores it and pushes
 * `lesson.attempt`. The run store stays the one source of the runs' figures; an attempt file keeps the
 * last known state of runs that were deleted since.
 */
export class LessonService {
  private readonly files: LessonAttemptStore
  private readonly lessons: readonly Lesson[]
  private cache?: Promise<Map<string, LessonAttempt>>
  private readonly attemptOfRun = new Map<string, string>()
  /** Per attempt: the refresh in flight and whether another was asked for meanwhile (events come in bursts). */
  private readonly refreshing = new Map<string, { again: boolean }>()
  private readonly evaluating = new Set<string>()
  private readonly saving = new Map<string, Promise<void>>()
  /** The refresh loops running now: `settled` waits for them, so that closing never cuts off an attempt's last write. */
  private readonly loops = new Set<Promise<void>>()

  constructor(private readonly options: LessonServiceOptions) {
    this.files = new LessonAttemptStore(options.store.root)
    this.lessons = options.lessons ?? LESSONS
    options.events.subscribe((event, payload) => {
      if (event !== 'run.status' && event !== 'run.epoch') return
      const attemptId = this.attemptOfRun.get((payload as { runId: string }).runId)
      if (attemptId) this.scheduleRefresh(attemptId)
    })
  }

  /** Every attempt, latest first, with its runs as they stand now. */
  async attempts(): Promise<LessonAttempt[]> {
    const cache = await this.load()
    return [...cache.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.attemptId.localeCompare(a.attemptId))
  }

  /** The attempt as it stands; undefined for an unknown id. */
  async attempt(attemptId: string): Promise<LessonAttempt | undefined> {
    return (await this.load()).get(attemptId)
  }

  async start(lessonId: LessonId, seed = 1): Promise<LessonAttempt> {
    const lesson = this.lessonOf(lessonId)
    const cache = await this.load()
    const attemptId = `${lessonId}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`
    const runs: LessonRunOutcome[] = []
    for (const planned of lessonRunsForSeed(lesson, seed)) {
      const config = resolveRun(capped(planned.config, this.options.cap))
      const dataset = await this.options.prepareDataset(config.dataset)
      const summary = await this.options.supervisor.start({ ...config, dataset }, 'local', { name: `${lesson.title} · ${planned.label}`, tags: [`lesson:${lesson.id}`] })
      this.attemptOfRun.set(summary.runId, attemptId)
      runs.push(lessonRunOutcome(planned.label, { ...summary, epochs: [] }))
    }
    const attempt: LessonAttempt = { lessonId, attemptId, seed, startedAt: new Date().toISOString(), runs, verdict: lessonVerdict(lesson, runs) }
    cache.set(attemptId, attempt)
    await this.persist(cache, attemptId)
    this.options.events.emit('lesson.attempt', attempt)
    this.scheduleRefresh(attemptId)
    return attempt
  }

  private lessonOf(lessonId: string): Lesson {
    const lesson = this.lessons.find((entry) => entry.id === lessonId)
    if (!lesson) throw new WorkbenchError('not-found', `no lesson with id ${lessonId}`)
    return lesson
  }

  /** Reads the attempt files once, then brings each up to date with its runs (they may have ended while the app was closed). */
  private load(): Promise<Map<string, LessonAttempt>> {
    this.cache ??= this.files.list().then(async (stored) => {
      const cache = new Map<string, LessonAttempt>()
      for (const attempt of stored) {
        // A failed ensemble evaluation is tried again when the workbench reopens.
        cache.set(attempt.attemptId, { ...attempt, ensembleError: undefined })
        for (const run of attempt.runs) this.attemptOfRun.set(run.runId, attempt.attemptId)
      }
      // One attempt whose runs cannot be read keeps its stored state; it does not hide the others.
      for (const attemptId of cache.keys()) await this.refresh(cache, attemptId).catch((error: unknown) => logRefreshError(attemptId, error))
      return cache
    })
    // A folder that could not be read is read again on the next call, not remembered as failed.
    this.cache.catch(() => (this.cache = undefined))
    return this.cache
  }

  private scheduleRefresh(attemptId: string): void {
    const running = this.refreshing.get(attemptId)
    if (running) {
      running.again = true
      return
    }
    const state = { again: false }
    this.refreshing.set(attemptId, state)
    const loop = (async () => {
      do {
        state.again = false
        await this.load()
          .then((cache) => this.refresh(cache, attemptId))
          .catch((error: unknown) => logRefreshError(attemptId, error))
      } while (state.again)
      this.refreshing.delete(attemptId)
    })()
    this.loops.add(loop)
    void loop.finally(() => this.loops.delete(loop))
  }

  /**
   * Resolves once no refresh or write is in flight: the attempt files then hold what `attempts()` shows.
   * The cache is updated before its file is written, so a workbench closed without waiting here could
   * reopen on an attempt older than the one it last showed.
   */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.loops, ...this.saving.values()]
      await Promise.all(pending)
      if (this.loops.size === 0 && [...this.saving.values()].every((write) => pending.includes(write))) return
    }
  }

  /** Rebuilds one attempt from the run store; stores and announces it when anything changed. */
  private async refresh(cache: Map<string, LessonAttempt>, attemptId: string): Promise<void> {
    const attempt = cache.get(attemptId)
    if (!attempt) return
    const lesson = this.lessonOf(attempt.lessonId)
    const read = await Promise.all(attempt.runs.map((run) => this.currentOutcome(run)))
    const latest = cache.get(attemptId)!
    // A run deleted while this refresh read keeps its latest known state, not the older one this refresh began with.
    const runs = read.map((run, index) => (run === attempt.runs[index] ? (latest.runs.find((known) => known.runId === run.runId) ?? run) : run))
    const next: LessonAttempt = { ...latest, runs }
    next.verdict = this.verdictOf(lesson, next)
    if (lesson.ensemble && !next.ensemble && !next.ensembleError && runs.every((run) => run.status === 'completed')) this.evaluateEnsemble(cache, attemptId)
    if (JSON.stringify(next) === JSON.stringify(latest)) return
    cache.set(attemptId, next)
    await this.persist(cache, attemptId)
    this.options.events.emit('lesson.attempt', next)
  }

  /** Writes the attempt as it stands when its turn comes: writes of one attempt never overtake each other. */
  private persist(cache: Map<string, LessonAttempt>, attemptId: string): Promise<void> {
    const previous = this.saving.get(attemptId) ?? Promise.resolve()
    const write = previous.then(() => this.files.save(cache.get(attemptId)!))
    this.saving.set(attemptId, write.catch(() => undefined))
    return write
  }

  private verdictOf(lesson: Lesson, attempt: LessonAttempt): LessonVerdict {
    if (attempt.ensembleError) return { holds: false, reason: 'incomplete', text: `The ensemble could not be evaluated: ${attempt.ensembleError}` }
    return lessonVerdict(lesson, attempt.runs, attempt.ensemble)
  }

  private async currentOutcome(run: LessonRunOutcome): Promise<LessonRunOutcome> {
    const { store, supervisor } = this.options
    await supervisor.written(run.runId)
    try {
      const detail = await store.detail(run.runId)
      // A live run's summary is the supervisor's: its run.json is written behind it.
      return lessonRunOutcome(run.label, { ...detail, ...supervisor.liveSummary(run.runId) })
    } catch (error) {
      if (error instanceof RunNotFoundError) return run
      throw error
    }
  }

  private evaluateEnsemble(cache: Map<string, LessonAttempt>, attemptId: string): void {
    if (this.evaluating.has(attemptId)) return
    this.evaluating.add(attemptId)
    const runIds = cache.get(attemptId)!.runs.map((run) => run.runId)
    void this.options
      .evaluateEnsemble(runIds)
      .then(
        (ensemble) => ({ ensemble }),
        (error: unknown) => ({ ensembleError: error instanceof Error ? error.message : String(error) }),
      )
      .then(async (outcome) => {
        const attempt = { ...cache.get(attemptId)!, ...outcome }
        attempt.verdict = this.verdictOf(this.lessonOf(attempt.lessonId), attempt)
        cache.set(attemptId, attempt)
        await this.persist(cache, attemptId)
        this.options.events.emit('lesson.attempt', attempt)
      })
      .catch((error: unknown) => logRefreshError(attemptId, error))
      .finally(() => this.evaluating.delete(attemptId))
  }
}
