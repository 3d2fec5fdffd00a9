import * as tf from '@tensorflow/tfjs-core'
import { asWasmBackend, heapOffset } from '../common/wasmKernelUtils'
import { activeNativeKernels } from './wasmBlasKernels'

/**
 * The optimizer's whole step in one call of the addon (src/optimizerKernels.cc): every parameter, its
 * gradient and its slots are updated in place in the wasm heap, split over the thread team. Only the
 * `wasm-blas` rung does this; the caller falls back to tfjs's kernels whenever `stepNatively` declines.
 */

/** The update rules, numbered as wb::UpdateRule. */
export const UPDATE_RULES = { sgd: 0, momentum: 1, nesterov: 2, adam: 3, rmsprop: 4 } as const
export type UpdateRuleName = keyof typeof UPDATE_RULES

/** A parameter as the step sees it: the variable, its gradient, and the optimizer's slots for it (none for SGD). */
export interface NativeParameter {
  value: tf.Variable
  gradient: tf.Tensor
  slots: tf.Variable[]
}

/** The rule's constants (see wb::OptimizerConstants): rates and decays as numbers, tfjs rounds them to float32. */
export interface NativeStepConstants {
  rule: UpdateRuleName
  learningRate: number
  hyper1?: number
  hyper2?: number
  oneMinus1?: number
  oneMinus2?: number
  epsilon?: number
  biasCorrection1?: number
  biasCorrection2?: number
  /** Clipping by global norm (0 or absent: none). */
  clipNorm?: number
}

const SLOTS: Record<UpdateRuleName, number> = { sgd: 0, momentum: 1, nesterov: 1, adam: 2, rmsprop: 2 }

/** Whether the step can run here: the wasm-blas rung active, and the backend the tensors live on. */
export function nativeOptimizerAvailable(): boolean {
  return activeNativeKernels() !== null && tf.getBackend() === 'wasm'
}

/**
 * Applies one step in place and returns true, or returns false having changed nothing: the rung is not
 * active, a tensor is not float32 or not in the wasm heap, a buffer to write is shared. Throws on a
 * parameter whose gradient or slots differ from it in size.
 */
export function stepNatively(parameters: NativeParameter[], constants: NativeStepConstants): boolean {
  const native = activeNativeKernels()
  if (!native || tf.getBackend() !== 'wasm') return false
  const slots = SLOTS[constants.rule]
  const table = new Float64Array(parameters.length * 5)
  for (const [row, { value, gradient, slots: own }] of parameters.entries()) {
    if (gradient.size !== value.size || own.length < slots || own.slice(0, slots).some((s) => s.size !== value.size)) {
      throw new Error(`optimizer step: ${value.name} has ${value.size} values but its gradient or a slot differs in size`)
    }
    const offsets = [heapOffset(value, true), heapOffset(gradient, false), ...own.slice(0, slots).map((s) => heapOffset(s, true))]
    if (offsets.some((o) => o === undefined)) return false
    table.set([offsets[0]!, offsets[1]!, offsets[2] ?? -1, offsets[3] ?? -1, value.size], row * 5)
  }
  const c = constants
  const numbers = [UPDATE_RULES[c.rule], c.learningRate, c.hyper1, c.hyper2, c.oneMinus1, c.oneMinus2, c.epsilon, c.biasCorrection1, c.biasCorrection2, c.clipNorm]
  // The view over the whole heap is taken last: an allocation may grow the heap and detach older views.
  const heap = new Float32Array((asWasmBackend(tf.engine().backend).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer)
  native.addon.optimizerStep(heap, table, Float64Array.from(numbers, (n) => n ?? 0))
  return true
}
