import { expandSweep } from '../../shared/run/sweepRuns'
import { resolveRun } from '../../shared/run/resolveRun'
import { runOneShotJob } from '../training/oneShotJob'
import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'
import type { ProcessQueue } from './processQueue'

type TrainingMethods = 'training.findLearningRate' | 'training.start' | 'training.sweep' | 'training.stop' | 'training.cancel' | 'training.pause' | 'training.resume'

/** Starting runs (one, a sweep, a learning-rate search) and steering them: the supervisor's side of the API. */
export function createTrainingHandlers(services: Pick<ServiceSet, 'store' | 'supervisor' | 'data' | 'launchWorker'>, spawning: ProcessQueue): Pick<ApiHandlers, TrainingMethods> {
  const { store, supervisor, data } = services
  return {
    'training.findLearningRate': ({ config, minLearningRate, maxLearningRate, steps }) =>
      spawning.run('training.findLearningRate', async () => (await runOneShotJob(services.launchWorker, { type: 'lr-find', config: resolveRun(config), dataDir: store.root, minLearningRate, maxLearningRate, steps }, 'lr-find')).result),
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
