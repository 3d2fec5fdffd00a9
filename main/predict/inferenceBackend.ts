import { BACKEND_NAMES, type BackendName, type BackendReport } from '../../shared/api/schemas'
import { defaultRungLoaders, selectBackend, type RungLoader } from '../engine/backendLadder'

/** The rungs inference climbs: a GPU when there is one, else the pure-JS backend it always used. */
const INFERENCE_RUNGS: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'cpu']

const notForInference: RungLoader = async () => {
  throw new Error('not used for inference: one image at a time runs well enough on the pure-JS backend')
}

/**
 * The inference worker's backend, chosen once by the ladder: the GPU rungs (after their self-test, on a
 * hardware adapter) or cpu. The CPU rungs in between buy little for one image and their threads would
 * compete with a training run.
 */
export function selectInferenceBackend(): Promise<BackendReport> {
  const loaders = Object.fromEntries(BACKEND_NAMES.map((name) => [name, INFERENCE_RUNGS.includes(name) ? defaultRungLoaders[name] : notForInference])) as Record<BackendName, RungLoader>
  return selectBackend('auto', loaders)
}
