import * as tf from '@tensorflow/tfjs-core'

/**
 * Training-mode batch normalization as two kernels by name, each rung registering its own (wasm-blas's
 * native ones in ../native/batchNormKernels.ts, our WGSL ones in ../webgpu/kernels/batchNormKernels.ts):
 * forward gives [y, mean, variance], its gradient [dx, dgamma, dbeta]. The names and the one gradient live
 * here, so that no rung imports another.
 */
export const BATCH_NORM_TRAIN = 'WorkbenchBatchNormTrain'
export const BATCH_NORM_TRAIN_GRAD = 'WorkbenchBatchNormTrainGrad'

/**
 * The forward's gradient, whichever backend runs the two kernels (wasm-blas or webgpu); idempotent.
 */
export function registerBatchNormTrainGradient(): void {
  if (tf.getGradient(BATCH_NORM_TRAIN)) return
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    // Only y's gradient is used: mean and variance feed the moving averages, never the loss (tfjs passes
    // zeros for them).
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const dy = Array.isArray(dys) ? dys[0] : dys
      const [x, gamma, mean, variance] = saved
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x, gamma, mean, variance }, attrs ?? {}) as tf.Tensor[]
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta }
    },
  })
}

