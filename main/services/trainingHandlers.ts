import { expandSweep } from '../../shared/run/sweepRuns'
import { resolveRun } from '../../shared/run/resolveRun'
import { runOneShotJob } from '../training/oneShotJob'
import type { FromWorker } from '../training/workerProtocol'
import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'
import type { ProcessQueue } from './processQueue'

type TrainingMethods = 'training.findLearningRate' | 'training.start' | 'training.sweep' | 'training.stop' | 'training.cancel' | 'training.pause' | 'training.resume'

/** Starting runs (one, a sweep, a learning-rate search) and steering them: the supervisor's side of the API. */
export function createTrainingHandlers(services: Pick<ServiceSet, 'store' | 'supervisor' | 'data' | 'launchWorker' | 'events'>, spawning: ProcessQueue): Pick<ApiHandlers, TrainingMethods> {
  const { store, supervisor, data } = services
  /** Each batch of a range test as `lrFinder.progress` (a non-finite loss, where it blew up, is left to the result). */
  const progress = (findId: string | undefined) => (message: FromWorker) => {
    if (message.type !== 'lr-find-point' || !Number.isFinite(message.loss)) return
    const { type: _type, ...point } = message
    services.events?.emit('lrFinder.progress', { ...(findId ? { findId } : {}), ...point })
  }
  return {
    'training.findLearningRate': ({ config, minLearningRate, maxLearningRate, steps, findId }) =>
      spawning.run('training.findLearningRate', async () => {
        const job = { type: 'lr-find' as const, config: resolveRun(config), dataDir: store.root, minLearningRate, maxLearningRate, steps }
        return (await runOneShotJob(services.launchWorker, job, 'lr-find', progress(findId))).result
      }),
    // A pool worker reads its own copy of the data set: nothing is prepared (downloaded, granted) here for it.
    'training.start': async ({ place, ...config }) => ({
      runId: (await supervisor.start({ ...config, dataset: place === 'pool' ? config.dataset : await data.prepare(config.dataset) }, place)).runId,
    }),
    'training.sweep': async (sweep) => {
      const runIds: string[] = []
      const dataset = sweep.place === 'pool' ? sweep.config.dataset : await data.prepare(sweep.config.dataset)
      for (const config of expandSweep({ ...sweep, config: { ...sweep.config, dataset } })) runIds.push((await supervisor.start(config, sweep.place)).runId)
      return { runIds }
    },
    'training.stop': async ({ runId }) => ({ stopped: supervisor.stop(runId) }),
    'training.cancel': async ({ runId }) => ({ cancelled: supervisor.cancel(runId) }),
    'training.pause': async ({ runId }) => ({ paused: supervisor.pause(runId) }),
    'training.resume': ({ runId, backend }) => supervisor.resume(runId, backend),
  }
}
