import * as tf from '@tensorflow/tfjs-core'
import type { BackendReport } from '../../shared/api/schemas'
import { selectBackend } from '../backends/backendLadder'

/**
 * The inference worker's backend, chosen once by the same ladder as training: a GPU where there is one
 * (after its self-test, on a hardware adapter), else the native kernels of wasm-blas, where a dropped
 * image on ResNet-18 takes tens of milliseconds instead of seconds on the pure-JS backend. Without any
 * rung (none passes its self-test) the cpu backend, as before the ladder.
 */
export async function selectInferenceBackend(): Promise<BackendReport | undefined> {
  try {
    return await selectBackend('auto')
  } catch {
    await tf.setBackend('cpu')
    return undefined
  }
}
