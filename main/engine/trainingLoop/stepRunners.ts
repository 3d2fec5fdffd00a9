import * as tf from '@tensorflow/tfjs-core'
import type { Batch } from '../../data/pipeline/batchSource'
import type { DeviceBatch } from '../../backends/webgpu/gpuBatches'
import type { DeferredGradients } from '../model/modelStep'
import type { GradientEngine } from './parallel/gradientEngine'
import type { DynamicLossScaler } from './lossScaler'
import { uncountStep } from './optimizers'
import { applyGradientsClipped } from './nativeOptimizers'

/** A training batch: pixels on the CPU, or already on the GPU (gpuBatches.ts). */
export type TrainingBatch = Batch | DeviceBatch

/**
 * One optimizer step on a batch, queued on the device; the promise gives its loss (weight-decay penalty
 * included) and correct count once they are read back.
 */
export type StepRunner = (batch: TrainingBatch) => Promise<[number, number]>

export { clipByGlobalNorm } from './gradientClipping'

type ApplyGradients = (grads: tf.NamedTensorMap) => void

// Loss, correct count and gradients come from the engine, in this thread or split over replicas;
// clipping and the optimizer step stay here, the same for every strategy.
function gradientApplier(optimizer: tf.Optimizer, clipNorm: number | undefined): ApplyGradients {
  return (grads) => {
    try {
      applyGradientsClipped(optimizer, grads, clipNorm)
    } finally {
      tf.dispose(grads)
    }
  }
}

/** Plain: the numbers are read before the step returns. The parallel replicas' engine always steps this way (it offers no deferred compute). */
function immediateStep(engine: GradientEngine, apply: ApplyGradients): StepRunner {
  return async (batch) => {
    const { images, labels, size } = batch as Batch
    const { loss, correct, grads } = await engine.compute(images, labels, size)
    apply(grads)
    return [loss, correct]
  }
}

/** Read-behind: the step is queued on the device at once and its numbers arrive later. */
function readBehindStep(engine: GradientEngine, apply: ApplyGradients): StepRunner {
  return (batch) => {
    const { images, labels, size } = batch as Batch
    const { grads, readings } = engine.computeDeferred!(images, labels, size)
    apply(grads)
    return readings
  }
}

function deferredGradients(engine: GradientEngine, batch: TrainingBatch, gradientScale?: tf.Scalar): DeferredGradients {
  if ('x' in batch) return engine.computeDeferredOnDevice!(batch.x, batch.y, gradientScale)
  if (!engine.computeDeferred) throw new Error('loss scaling needs a gradient engine that reads its numbers back later (this thread\'s own)')
  return engine.computeDeferred(batch.images, batch.labels, batch.size, gradientScale)
}

/** GPU-resident batches: always deferred; without read-behind the epoch loop awaits the readings at once. */
function deviceBatchStep(engine: GradientEngine, apply: ApplyGradients): StepRunner {
  return (batch) => {
    const { grads, readings } = deferredGradients(engine, batch)
    apply(grads)
    return readings
  }
}

/** Loss scaling (mixed precision): the step's verdict (applied or skipped) is read with its loss, never on its own. */
function lossScaledStep(engine: GradientEngine, apply: ApplyGradients, scaler: DynamicLossScaler, optimizer: tf.Optimizer): StepRunner {
  return (batch) => {
    const { grads, readings } = deferredGradients(engine, batch, scaler.scale)
    const verdict = scaler.read(scaler.step(grads, apply)).then((applied) => {
      if (!applied) uncountStep(optimizer)
    })
    return Promise.all([readings, verdict]).then(([numbers]) => numbers)
  }
}

export interface StepSettings {
  engine: GradientEngine
  optimizer: tf.Optimizer
  gradientClipNorm?: number
  scaler?: DynamicLossScaler
  /** Whether the training batches are built on the GPU (DeviceBatch) rather than the CPU. */
  batchesOnDevice: boolean
  /** Batches whose numbers may still be on their way back (TrainOptions.readBehind). */
  readBehind: number
}

/** The step for a whole call of trainModel: loss scaling over all else, then where the batches live, then whether they are read behind. */
export function chooseStepRunner(settings: StepSettings): StepRunner {
  const { engine, optimizer, scaler } = settings
  const apply = gradientApplier(optimizer, settings.gradientClipNorm)
  if (scaler) return lossScaledStep(engine, apply, scaler, optimizer)
  if (settings.batchesOnDevice) return deviceBatchStep(engine, apply)
  if (settings.readBehind <= 0 || !engine.computeDeferred) return immediateStep(engine, apply)
  return readBehindStep(engine, apply)
}
