import { readFileSync } from 'node:fs'
import { EventBus } from './eventBus'
import { RunStore } from '../storage/runStore'
import { TrainingSupervisor } from './trainingSupervisor'
import { createApiHandlers, type ApiHandlers } from './apiHandlers'
import { createNodeWorkerLauncher, type WorkerLauncher } from '../processes/workerLauncher'
import { createWorkerInference } from '../predict/inferenceClient'
import { UserPathGrants } from './userPathGrants'
import { DataService } from './dataService'
import type { DownloadSpec } from '../data/download/checksums'
import { PoolClient } from '../pool/poolClient'
import { LessonService } from './lessonService'
import { evaluateEnsemble } from './ensembleEvaluation'
import { environment } from '../config/environment'

export interface Workbench {
  handlers: ApiHandlers
  events: EventBus
  store: RunStore
  supervisor: TrainingSupervisor
  /** Lesson attempts (the `lessons.*` API); the CLI's `experiment` waits on their events. */
  lessons: LessonService
  /** Paths outside the data folder that the user chose; every service reading such a path consults it. */
  grants: UserPathGrants
  data: DataService
  /** Ends the workers and resolves once the lesson attempts' last writes are on disk (5 s at most). */
  close(): Promise<void>
}

const IN_PROGRESS = new Set(['queued', 'running', 'paused'])
/** How long closing waits for the lesson attempts' last writes at most. */
const CLOSE_WAIT_MS = 5000

/** The composition root shared by all three adapters: services wired once, transports added on top. */
export async function createWorkbench(options: {
  dataDir: string
  launchWorker: WorkerLauncher
  mode: 'electron' | 'web' | 'cli'
  grants?: UserPathGrants
  maxConcurrentRuns?: number
  /** The desktop shell's folder dialog; without it `files.chooseFolder` answers `unavailable`. */
  chooseFolder?: () => Promise<string | null>
  /**
   * Where predictions, inspections and import checks run; without it, a Node child process. Never in this
   * process: the window's process does not load TensorFlow.js or sharp (main/layers.json).
   */
  launchInference?: WorkerLauncher
  /** The CIFAR-10 archive to download instead of the official one (a mirror; tests serve a small one). */
  cifar10Source?: DownloadSpec
  /** A Redis pool of training workers, redis://[:password@]host:port or rediss:// (`--queue`). */
  queue?: string
  /** How often pool runs are checked against the queue (a job vanished with a Redis restart); default 15 s. */
  poolReconcileMs?: number
}): Promise<Workbench> {
  const store = new RunStore(options.dataDir)
  // Connected first: a wrong password or an unreachable Redis stops the start with one line.
  const pool = options.queue ? await PoolClient.connect(options.queue) : undefined
  // Pool runs train on without this workbench: they are followed again, not marked interrupted.
  const following = pool ? (await store.list()).filter((run) => run.place === 'pool' && IN_PROGRESS.has(run.status)) : []
  await store.markAbandonedRunsInterrupted((run) => run.place === 'pool')
  const events = new EventBus()
  const supervisor = new TrainingSupervisor(store, events, options.launchWorker, options.maxConcurrentRuns ?? maxConcurrentRunsFromEnv(), pool)
  if (pool) for (const run of following) supervisor.reattach(run)
  const reconciling = pool ? setInterval(() => void supervisor.reconcilePool().catch(() => {}), options.poolReconcileMs ?? 15_000) : undefined
  reconciling?.unref()
  const inference = createWorkerInference(options.launchInference ?? createNodeWorkerLauncher('inferenceWorker'), options.dataDir, (progress) => events.emit('data.scan', progress))
  const grants = options.grants ?? new UserPathGrants()
  // Folders must have been chosen by the user in the desktop app; web and CLI users type their paths.
  const data = new DataService(
    options.dataDir,
    (progress) => events.emit('download.progress', progress),
    options.mode === 'electron' ? grants : undefined,
    options.cifar10Source,
    inference.data,
  )
  const lessons = new LessonService({
    store,
    supervisor,
    events,
    prepareDataset: (dataset) => data.prepare(dataset),
    evaluateEnsemble: (runIds) => evaluateEnsemble(store, options.launchWorker, runIds),
    cap: lessonCapFromEnv(),
  })
  const handlers = createApiHandlers({
    events,
    launchWorker: options.launchWorker,
    grants,
    store,
    supervisor,
    data,
    lessons,
    inference,
    mode: options.mode,
    version: packageVersion(),
    chooseFolder: options.chooseFolder,
    pool,
  })
  return {
    handlers,
    events,
    store,
    supervisor,
    lessons,
    grants,
    data,
    close: async () => {
      clearInterval(reconciling)
      supervisor.shutdown()
      pool?.close()
      inference.close()
      // A write that never ends (a hung network drive) must not keep the app from quitting.
      await Promise.race([lessons.settled(), new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())])
    },
  }
}

function packageVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url)
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** How many runs train at once; the rest wait in the queue. One by default: a run already uses the cores it can. */
function maxConcurrentRunsFromEnv(env = process.env): number {
  const value = Number(environment('WORKBENCH_MAX_CONCURRENT_RUNS', env))
  return Number.isInteger(value) && value >= 1 ? value : 1
}

/**
 * `WORKBENCH_LESSON_CAP=epochs:1,limit:200` caps every lesson run (tests, a quick look); the verdicts
 * then say that the runs no longer have the lesson's settings. Anything else in it is ignored.
 */
export function lessonCapFromEnv(env = process.env): { epochs?: number; limit?: number } | undefined {
  const cap: { epochs?: number; limit?: number } = {}
  for (const part of (environment('WORKBENCH_LESSON_CAP', env) ?? '').split(',')) {
    const [key, value] = part.split(':').map((text) => text.trim())
    const number = Number(value)
    if ((key === 'epochs' || key === 'limit') && Number.isInteger(number) && number >= 1) cap[key] = number
  }
  return Object.keys(cap).length ? cap : undefined
}
