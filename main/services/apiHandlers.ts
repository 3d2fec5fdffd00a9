import { arch, cpus, platform, totalmem } from 'node:os'
import type { ResponseOf } from '../../shared/api/contract'
import { ARCHITECTURE_IDS, getArchitecture, PRESET_IDS } from '../../shared/arch/specs'
import { analyzeModel } from '../../shared/arch/layerMath'
import type { InferenceService } from '../predict/inferenceService'
import type { DataService } from './dataService'
import type { RunStore } from '../storage/runStore'
import { UnavailableError } from './serviceErrors'
import { RunStateError, type TrainingSupervisor } from './trainingSupervisor'
import { diagnoseSystem } from './systemDoctor'
import { runOneShotJob } from '../training/oneShotJob'
import type { WorkerLauncher } from '../processes/workerLauncher'
import { createExchangeHandlers } from './exchangeHandlers'
import { expandSweep } from '../../shared/run/sweepRuns'
import { resolveRun } from '../../shared/run/resolveRun'
import type { UserPathGrants } from './userPathGrants'
import { ProcessQueue } from './processQueue'
import type { ApiHandlers } from './apiHandlerTypes'
import type { LessonAttempt, LessonId } from '../../shared/lessons/lessonTypes'

export type { ApiHandlers } from './apiHandlerTypes'

export interface ServiceSet {
  store: RunStore
  supervisor: TrainingSupervisor
  inference: InferenceService
  mode: 'electron' | 'web' | 'cli'
  version: string
  launchWorker: WorkerLauncher
  grants: UserPathGrants
  /** Data sets: descriptions, previews, downloads, folder grants. */
  data: DataService
  /** The desktop shell's folder dialog (it records the grant); absent in web and CLI mode. */
  chooseFolder?: () => Promise<string | null>
  /** The Redis pool of training workers (`--queue`); absent when runs can only train here. */
  pool?: { status(): Promise<ResponseOf<'pool.status'>> }
  /** Lessons: attempts at the notes' experiments (main/lessons/lessonService.ts). */
  lessons: {
    attempts(): Promise<LessonAttempt[]>
    start(lessonId: LessonId, seed?: number): Promise<LessonAttempt>
  }
}

/** The API's behaviour, once, for every adapter (Electron IPC, web bridge, CLI). */
export function createApiHandlers(services: ServiceSet): ApiHandlers {
  const { store, supervisor, inference } = services
  // Each of these calls starts a worker process: two at a time whatever the clients send.
  const spawning = new ProcessQueue(2, 8)
  return {
    ...createExchangeHandlers(store, services.grants, inference),
    'system.info': async () => ({
      mode: services.mode,
      version: services.version,
      platform: `${platform()} ${arch()}`,
      cpus: cpus().length,
      totalMemoryBytes: totalmem(),
    }),
    'system.doctor': () => spawning.run('system.doctor', () => diagnoseSystem(services.launchWorker)),
    'training.findLearningRate': ({ config, minLearningRate, maxLearningRate, steps }) =>
      spawning.run('training.findLearningRate', async () => (await runOneShotJob(services.launchWorker, { type: 'lr-find', config: resolveRun(config), dataDir: store.root, minLearningRate, maxLearningRate, steps }, 'lr-find')).result),
    'arch.list': async () =>
      ARCHITECTURE_IDS.map((id) => {
        const spec = getArchitecture(id)
        return {
          id,
          name: spec.name,
          description: spec.description,
          params: analyzeModel(spec, spec.input).totalParams,
          inputShape: [spec.input.height, spec.input.width, spec.input.channels] as [number, number, number],
          presets: PRESET_IDS.map((presetId) => {
            const preset = spec.presets[presetId]
            const built = getArchitecture(id, { inputSize: preset.inputSize, knobs: preset.knobs })
            return { ...preset, params: analyzeModel(built, built.input).totalParams }
          }),
        }
      }),
    // A pool worker reads its own copy of the data set: nothing is prepared (downloaded, granted) here for it.
    'training.start': async ({ place, ...config }) => ({
      runId: (await supervisor.start({ ...config, dataset: place === 'pool' ? config.dataset : await services.data.prepare(config.dataset) }, place)).runId,
    }),
    'pool.status': async () => (services.pool ? services.pool.status() : { connected: false, workers: [] }),
    'data.list': async () => services.data.list() as ResponseOf<'data.list'>,
    'data.describe': (request) => services.data.describe(request),
    'data.samples': (request) => services.data.samples(request),
    'data.download': async ({ dataset }) => ({ path: await services.data.download(dataset) }),
    'data.cancel': async ({ dataset }) => ({ cancelled: services.data.cancelScan(await services.data.prepare(dataset), 'cancelled') }),
    'training.sweep': async (sweep) => {
      const runIds: string[] = []
      const dataset = sweep.place === 'pool' ? sweep.config.dataset : await services.data.prepare(sweep.config.dataset)
      for (const config of expandSweep({ ...sweep, config: { ...sweep.config, dataset } })) runIds.push((await supervisor.start(config, sweep.place)).runId)
      return { runIds }
    },
    'training.stop': async ({ runId }) => ({ stopped: supervisor.stop(runId) }),
    'training.cancel': async ({ runId }) => ({ cancelled: supervisor.cancel(runId) }),
    'training.pause': async ({ runId }) => ({ paused: supervisor.pause(runId) }),
    'training.resume': ({ runId, backend }) => supervisor.resume(runId, backend),
    // A live run's summary is the supervisor's: its run.json is written behind it, so a read from disk
    // can still say `paused` just after a resume (and a client that reloads then would show it for good).
    'runs.list': async () => (await store.list()).map((run) => supervisor.liveSummary(run.runId) ?? run),
    'runs.get': async ({ runId }) => {
      const detail = await store.detail(runId)
      const live = supervisor.liveSummary(runId)
      return live ? { ...detail, ...live } : detail
    },
    'runs.update': ({ runId, name, tags }) => {
      const changes: { name?: string; tags?: string[] } = {}
      if (name !== undefined) changes.name = name || undefined
      if (tags !== undefined) changes.tags = [...new Set(tags)]
      return supervisor.annotate(runId, changes)
    },
    'runs.delete': async ({ runId }) => {
      // A run that has just ended (a queued run stopped a moment ago) still has its final save in flight.
      await supervisor.settled(runId)
      const live = supervisor.liveSummary(runId)
      if (live) {
        // The live status, never run.json's (written behind it, it can still say `running` for a paused run).
        const hint = live.status === 'paused' ? 'a paused run still holds its training process; stop it (its model is saved) or cancel it, then delete it' : 'stop it before deleting it'
        throw new RunStateError(`run ${runId} is ${live.status}: ${hint}`)
      }
      await store.delete(runId)
      return { deleted: true as const }
    },
    'predict.image': ({ runId, fileName, imageBase64, topK }) =>
      inference.predict(runId, fileName, Buffer.from(imageBase64, 'base64'), topK),
    'inspect.image': ({ runId, fileName, imageBase64, maxChannels, firstChannel, occlusion, gradCam }) =>
      inference.inspect(runId, fileName, Buffer.from(imageBase64, 'base64'), { maxChannels, firstChannel, occlusion, gradCam }),
    'lessons.attempts': () => services.lessons.attempts(),
    'lessons.start': ({ lessonId, seed }) => services.lessons.start(lessonId, seed),
    'files.chooseFolder': async () => {
      if (!services.chooseFolder) {
        throw new UnavailableError(
          'Choosing a folder needs the desktop app: in web mode the workbench runs as a server that cannot open a dialog on your screen.',
        )
      }
      return { path: await services.chooseFolder() }
    },
  }
}
