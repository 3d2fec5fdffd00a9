import * as tf from '@tensorflow/tfjs-core'
import type { KernelArgs } from '../common/wasmKernelUtils'
import { registerActivationGradients } from './activationGradients'
import { registerBatchNormKernels } from './batchNormKernels'
import { convBackpropFilter, convBackpropInput, convForward, matMul } from './nativeConvKernels'
import { slice, splitV } from './nativeCopyKernels'
import { avgPool, batchNormInference, maxPool, padSpatial } from './nativeInferenceKernels'
import type { NativeKernels } from './nativeKernels'
import { avgPoolGrad, channelSum, maxPoolGrad } from './nativePoolingKernels'

/**
 * The kernels of the `wasm-blas` rung, installed over tfjs's wasm backend: convolutions and matrix
 * products (nativeConvKernels.ts), pooling and bias gradients (nativePoolingKernels.ts), batch norm
 * (batchNormKernels.ts), activation gradients (activationGradients.ts), inference's batch norm, pooling
 * and padding (nativeInferenceKernels.ts) and slices and splits (nativeCopyKernels.ts) run in our Node-API addon,
 * directly on the wasm heap (it receives Float32Array views, nothing is copied). Every other op stays on
 * tfjs's wasm kernels. A call the native path does not cover goes to the kernel that was registered
 * before, as does every call while the rung is inactive.
 */

type Fallback = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]
type NativeKernel = (args: KernelArgs, native: NativeKernels) => tf.TensorInfo | tf.TensorInfo[] | null

const NATIVE_KERNELS: Record<string, NativeKernel> = {
  [tf.Conv2D]: convForward,
  [tf.FusedConv2D]: convForward,
  [tf.Conv2DBackpropInput]: convBackpropInput,
  [tf.Conv2DBackpropFilter]: convBackpropFilter,
  [tf.BatchMatMul]: matMul,
  [tf._FusedMatMul]: matMul,
  [tf.MaxPoolGrad]: maxPoolGrad,
  [tf.AvgPoolGrad]: avgPoolGrad,
  [tf.Sum]: channelSum,
  [tf.FusedBatchNorm]: batchNormInference,
  [tf.MaxPool]: maxPool,
  [tf.AvgPool]: avgPool,
  [tf.PadV2]: padSpatial,
  [tf.Slice]: slice,
  [tf.SplitV]: splitV,
}

let activeNative: NativeKernels | null = null
const fallbacks = new Map<string, Fallback>()

/**
 * Installs the native kernels over whatever 'wasm' kernels are registered (ours or upstream) and
 * switches them on or off. Off, every call goes to the kernel that was there before, so the plain
 * `wasm` rung keeps its exact behaviour in the same process.
 */
export function setWasmBlasKernels(native: NativeKernels | null): string[] {
  for (const [kernelName, nativeKernel] of Object.entries(NATIVE_KERNELS)) {
    if (fallbacks.has(kernelName)) continue
    const previous = tf.getKernel(kernelName, 'wasm')
    if (previous == null) throw new Error(`wasm kernel ${kernelName} is not registered`)
    fallbacks.set(kernelName, previous.kernelFunc as unknown as Fallback)
    tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      setupFunc: previous.setupFunc,
      disposeFunc: previous.disposeFunc,
      kernelFunc: ((args: KernelArgs) => {
        const result = activeNative ? nativeKernel(args, activeNative) : null
        return result ?? fallbacks.get(kernelName)!(args)
      }) as unknown as tf.KernelFunc,
    })
  }
  registerBatchNormKernels(() => activeNative)
  registerActivationGradients(() => activeNative)
  activeNative = native
  return Object.keys(NATIVE_KERNELS)
}

/** The native kernels while they serve the wasm backend, else null. */
export function activeNativeKernels(): NativeKernels | null {
  return activeNative
}
