import * as tf from '@tensorflow/tfjs-core'
import { nativeOptimizerAvailable, stepNatively, type NativeParameter, type NativeStepConstants } from '../../backends/native/nativeOptimizerStep'
import { clipByGlobalNorm } from './gradientClipping'

/**
 * tfjs's optimizers with their step in one native call on the `wasm-blas` rung (nativeOptimizerStep.ts):
 * the same classes, slots (tfjs Variables, created and named as tfjs does), iteration count and saved
 * weights, so checkpoints, schedules (the `learningRate` field) and loss scaling's undo work unchanged.
 * Wherever the native step declines (another backend, a shared buffer, a non-float32 tensor), the step
 * is tfjs's own, with clipping by tfjs's kernels.
 */

type Gradients = Parameters<tf.Optimizer['applyGradients']>[0]
type NamedTensor = Extract<Gradients, unknown[]>[number]
/** How tfjs types the gradients of its momentum, Adam and RMSprop (variables); they read them as any tensor. */
type VariableGradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0]
interface Slot {
  originalName: string
  variable: tf.Variable
}

/** An optimizer whose step can take the clipping along (the trainer's gradientApplier). */
export interface ClippingStep {
  applyGradientsClipped(grads: Gradients, clipNorm: number | undefined): void
}

function gradientEntries(grads: Gradients): [string, tf.Tensor | undefined][] {
  return Array.isArray(grads) ? grads.map((g: NamedTensor) => [g.name, g.tensor]) : Object.entries(grads)
}

function asMap(grads: Gradients): tf.NamedTensorMap {
  return Array.isArray(grads) ? Object.fromEntries(grads.map((g: NamedTensor) => [g.name, g.tensor])) : grads
}

function variableNamed(name: string): tf.Variable {
  const variable = tf.engine().registeredVariables[name]
  if (!variable) throw new Error(`optimizer step: no variable named ${name}`)
  return variable
}

/** The slot tfjs keeps at `list[i]` for a variable, created as tfjs creates it (zeros, not trainable, `name/suffix`). */
function slot(list: Slot[], i: number, name: string, suffix: string): tf.Variable {
  list[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(variableNamed(name)).variable(false)) }
  return list[i].variable
}

/** The parameters with a gradient, each with its slots from `slotsOf` (which creates them, for every name, as tfjs does). */
function parametersOf(grads: Gradients, slotsOf: (name: string, i: number) => tf.Variable[]): NativeParameter[] {
  const parameters: NativeParameter[] = []
  gradientEntries(grads).forEach(([name, gradient], i) => {
    const slots = slotsOf(name, i)
    if (gradient != null) parameters.push({ value: variableNamed(name), gradient, slots })
  })
  return parameters
}

interface NativePlan {
  parameters: NativeParameter[]
  constants: NativeStepConstants
}

/**
 * The native step where it runs (`plan` is only worked out there: Adam's reads its beta powers), else
 * tfjs's `fallback` on the gradients, clipped by tfjs's kernels. Returns whether it ran natively.
 */
function nativeOrTfjs(plan: () => NativePlan, grads: Gradients, clipNorm: number | undefined, fallback: (grads: Gradients) => void): boolean {
  if (nativeOptimizerAvailable()) {
    const { parameters, constants } = plan()
    if (stepNatively(parameters, { ...constants, clipNorm })) return true
  }
  tf.tidy(() => fallback(clipNorm ? clipByGlobalNorm(asMap(grads), clipNorm) : grads))
  return false
}

/**
 * Gives restored slots buffers of their own: tfjs's setWeights makes each a variable over the tensor it
 * was given, and a buffer shared with a tensor still alive (the checkpoint's) would keep the native
 * step off, which steps only buffers nobody else holds (the first step after a resume would be tfjs's).
 */
function ownBuffers(slots: Slot[]): void {
  tf.tidy(() => slots.forEach(({ variable }) => variable.assign(tf.mul(variable, 1))))
}

type SavedWeights = Parameters<tf.Optimizer['setWeights']>[0]

function countStep(optimizer: tf.Optimizer): void {
  ;(optimizer as unknown as { incrementIterations(): void }).incrementIterations()
}

export class NativeSGDOptimizer extends tf.SGDOptimizer implements ClippingStep {
  override applyGradients(grads: Gradients): void {
    this.applyGradientsClipped(grads, undefined)
  }

  applyGradientsClipped(grads: Gradients, clipNorm: number | undefined): void {
    const plan = () => ({ parameters: parametersOf(grads, () => []), constants: { rule: 'sgd' as const, learningRate: this.learningRate } })
    if (nativeOrTfjs(plan, grads, clipNorm, (g) => super.applyGradients(g))) countStep(this)
  }
}

interface MomentumInternals {
  momentum: number
  useNesterov: boolean
  accumulations: Slot[]
}

export class NativeMomentumOptimizer extends tf.MomentumOptimizer implements ClippingStep {
  override applyGradients(grads: Gradients): void {
    this.applyGradientsClipped(grads, undefined)
  }

  applyGradientsClipped(grads: Gradients, clipNorm: number | undefined): void {
    const own = this as unknown as MomentumInternals
    const plan = (): NativePlan => ({
      parameters: parametersOf(grads, (name, i) => [slot(own.accumulations, i, name, 'momentum')]),
      constants: { rule: own.useNesterov ? 'nesterov' : 'momentum', learningRate: this.learningRate, hyper1: own.momentum },
    })
    if (nativeOrTfjs(plan, grads, clipNorm, (g) => super.applyGradients(g as VariableGradients))) countStep(this)
  }

  override async setWeights(weights: SavedWeights): Promise<void> {
    await super.setWeights(weights)
    ownBuffers((this as unknown as MomentumInternals).accumulations)
  }
}

interface AdamInternals {
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: Slot[]
  accumulatedSecondMoment: Slot[]
}

export class NativeAdamOptimizer extends tf.AdamOptimizer implements ClippingStep {
  override applyGradients(grads: Gradients): void {
    this.applyGradientsClipped(grads, undefined)
  }

  applyGradientsClipped(grads: Gradients, clipNorm: number | undefined): void {
    const own = this as unknown as AdamInternals
    const { beta1, beta2, epsilon, learningRate } = this
    const plan = (): NativePlan => ({
      parameters: parametersOf(grads, (name, i) => [slot(own.accumulatedFirstMoment, i, name, 'm'), slot(own.accumulatedSecondMoment, i, name, 'v')]),
      constants: {
        rule: 'adam', learningRate, hyper1: beta1, hyper2: beta2, oneMinus1: 1 - beta1, oneMinus2: 1 - beta2, epsilon,
        // tfjs's bias corrections: 1 - its running beta powers, float32 variables multiplied by beta at every step.
        biasCorrection1: 1 - own.accBeta1.dataSync()[0],
        biasCorrection2: 1 - own.accBeta2.dataSync()[0],
      },
    })
    if (!nativeOrTfjs(plan, grads, clipNorm, (g) => super.applyGradients(g as VariableGradients))) return
    tf.tidy(() => {
      own.accBeta1.assign(tf.mul(own.accBeta1, beta1))
      own.accBeta2.assign(tf.mul(own.accBeta2, beta2))
    })
    countStep(this)
  }

  override async setWeights(weights: SavedWeights): Promise<void> {
    await super.setWeights(weights)
    const own = this as unknown as AdamInternals
    ownBuffers([...own.accumulatedFirstMoment, ...own.accumulatedSecondMoment])
  }
}

interface RmsPropInternals {
  centered: boolean
  accumulatedMeanSquares: Slot[]
  accumulatedMoments: Slot[]
}

export class NativeRMSPropOptimizer extends tf.RMSPropOptimizer implements ClippingStep {
  override applyGradients(grads: Gradients): void {
    this.applyGradientsClipped(grads, undefined)
  }

  applyGradientsClipped(grads: Gradients, clipNorm: number | undefined): void {
    const own = this as unknown as RmsPropInternals
    const fallback = (g: Gradients) => super.applyGradients(g as VariableGradients)
    // Centered RMSprop keeps a third slot; the run never builds one (optimizers.ts), so tfjs steps it.
    if (own.centered) return void tf.tidy(() => fallback(clipNorm ? clipByGlobalNorm(asMap(grads), clipNorm) : grads))
    const { decay, momentum, epsilon, learningRate } = this
    const plan = (): NativePlan => ({
      parameters: parametersOf(grads, (name, i) => [slot(own.accumulatedMeanSquares, i, name, 'rms'), slot(own.accumulatedMoments, i, name, 'momentum')]),
      constants: { rule: 'rmsprop', learningRate, hyper1: decay, hyper2: momentum, oneMinus1: 1 - decay, epsilon },
    })
    if (nativeOrTfjs(plan, grads, clipNorm, fallback)) countStep(this)
  }

  override async setWeights(weights: SavedWeights): Promise<void> {
    await super.setWeights(weights)
    const own = this as unknown as RmsPropInternals & { accumulatedMeanGrads: Slot[] }
    ownBuffers([...own.accumulatedMeanSquares, ...own.accumulatedMoments, ...(own.centered ? own.accumulatedMeanGrads : [])])
  }
}

/** One step of any optimizer, clipped by global norm where clipNorm is set: in one native pass where the optimizer offers it. */
export function applyGradientsClipped(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, clipNorm: number | undefined): void {
  if ('applyGradientsClipped' in optimizer) return (optimizer as unknown as ClippingStep).applyGradientsClipped(grads, clipNorm)
  tf.tidy(() => optimizer.applyGradients(clipNorm ? clipByGlobalNorm(grads, clipNorm) : grads))
}
