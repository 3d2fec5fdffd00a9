import type { ModelInfo } from './layerMath'

/**
 * Whether a training step fits the 4 GiB a wasm32 heap can address (the `wasm` and `wasm-blas` rungs).
 * tfjs's wasm backend traps with "memory access out of bounds" when it runs out, mid-step and without
 * saying why; this estimate refuses the run up front instead, naming the batch size that fits.
 *
 * The estimate: every layer's activations kept for the backward pass plus their gradients and
 * temporaries (ACTIVATION_COPIES per sample; AlexNet at 224 px, batch 128, peaked at 2.3 GB of RSS
 * for 0.65 GB of activations), and the weights with their gradients and two optimizer slots (Adam).
 */
export const WASM_USABLE_BYTES = 3.5 * 2 ** 30
/** The ladder's rungs whose tensors all live in one wasm32 heap. */
export const WASM_HEAP_BACKENDS: readonly string[] = ['wasm-blas', 'wasm']
const ACTIVATION_COPIES = 3
const PARAMETER_COPIES = 4

export interface MemoryEstimate {
  bytes: number
  /** The largest batch size that fits (0 when not even one sample does). */
  maxBatchSize: number
}

export function estimateTrainingMemory(info: Pick<ModelInfo, 'activationBytes' | 'totalParams' | 'nonTrainableParams'>, batchSize: number): MemoryEstimate {
  const fixed = (info.totalParams + info.nonTrainableParams) * 4 * PARAMETER_COPIES
  const perSample = info.activationBytes * ACTIVATION_COPIES
  return {
    bytes: fixed + perSample * batchSize,
    maxBatchSize: perSample > 0 ? Math.max(0, Math.floor((WASM_USABLE_BYTES - fixed) / perSample)) : Number.MAX_SAFE_INTEGER,
  }
}

/**
 * A need in GiB, rounded up to the hundredth: a run just over the limit reads above it (3.51 GiB), never
 * as the limit itself (3.5 GiB "needed" and refused was the form's contradiction).
 */
export function formatNeededGiB(bytes: number): string {
  return `${(Math.ceil((bytes / 2 ** 30) * 100) / 100).toFixed(2)} GiB`
}

/** The limit in words, the same in the form and in the worker's refusal: the usable part of the heap, not the heap. */
export const WASM_LIMIT_TEXT = `the ${(WASM_USABLE_BYTES / 2 ** 30).toFixed(2)} GiB a run may use of the wasm backends' 4 GiB heap`

/** A message for a run that cannot fit on the wasm rungs, or null when it fits. */
export function wasmMemoryProblem(
  info: Pick<ModelInfo, 'activationBytes' | 'totalParams' | 'nonTrainableParams'>,
  batchSize: number,
  what: string,
): string | null {
  const estimate = estimateTrainingMemory(info, batchSize)
  if (estimate.bytes <= WASM_USABLE_BYTES) return null
  const fix =
    estimate.maxBatchSize >= 1
      ? `use a batch size of at most ${estimate.maxBatchSize}, or a smaller input size (the CPU preset)`
      : 'even one image does not fit: use a smaller input size (the CPU preset) or a narrower network'
  return `${what} at batch size ${batchSize} needs about ${formatNeededGiB(estimate.bytes)} to train, more than ${WASM_LIMIT_TEXT}: ${fix}`
}
