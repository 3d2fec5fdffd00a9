import * as tf from '@tensorflow/tfjs-core'
import { asWasmBackend, heapF32, kernelInput, type KernelArgs } from '../common/wasmKernelUtils'
import type { NativeKernels } from './nativeKernels'

/**
 * Sigmoid's and ReLU's gradients in one native pass each. tfjs composes them from three kernels
 * (sigmoid: dy * y * (1 - y); relu: dy * cast(step(x))), each a full pass over the activations.
 * The gradients are replaced for every backend, but take the native path only while the native
 * kernels serve wasm; otherwise they run tfjs's own gradient functions, kept from before.
 */
const SIGMOID_GRAD = 'WorkbenchSigmoidGrad'
const RELU_GRAD = 'WorkbenchReluGrad'

type Native = () => NativeKernels | null

function elementwiseKernel(native: Native, name: string, otherInput: string, run: (kernels: NativeKernels, dy: Float32Array, other: Float32Array, dx: Float32Array) => void) {
  return (args: KernelArgs): tf.TensorInfo => {
    const kernels = native()
    if (!kernels) throw new Error(`${name} needs the native kernels (wasm-blas rung)`)
    const backend = asWasmBackend(args.backend)
    const dy = kernelInput(args, 'dy')
    const other = kernelInput(args, otherInput)
    const dx = backend.makeOutput([...dy.shape], 'float32')
    run(kernels, heapF32(backend, dy), heapF32(backend, other), heapF32(backend, dx))
    return dx
  }
}

function usable(native: Native, ...tensors: tf.Tensor[]): boolean {
  return native() != null && tf.getBackend() === 'wasm' && tensors.every((t) => t.dtype === 'float32' && t.size > 0)
}

let registered = false

export function registerActivationGradients(native: Native): void {
  if (registered) return
  registered = true
  tf.registerKernel({
    kernelName: SIGMOID_GRAD,
    backendName: 'wasm',
    kernelFunc: elementwiseKernel(native, SIGMOID_GRAD, 'y', (k, dy, y, dx) => k.addon.sigmoidGrad(dy, y, dx)) as unknown as tf.KernelFunc,
  })
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'wasm',
    kernelFunc: elementwiseKernel(native, RELU_GRAD, 'x', (k, dy, x, dx) => k.addon.reluGrad(dy, x, dx)) as unknown as tf.KernelFunc,
  })
  for (const [kernelName, fused, savedName] of [[tf.Sigmoid, SIGMOID_GRAD, 'y'], [tf.Relu, RELU_GRAD, 'x']] as const) {
    const original = tf.getGradient(kernelName)
    if (!original) throw new Error(`tfjs has no gradient for ${kernelName}: import @tensorflow/tfjs-layers first`)
    tf.registerGradient({
      ...original,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
        const g = Array.isArray(dy) ? dy[0] : dy
        if (!usable(native, g, saved[0])) return original.gradFunc(dy, saved, attrs ?? {})
        return { x: () => tf.engine().runKernel(fused, { dy: g, [savedName]: saved[0] }, {}) as tf.Tensor }
      },
    })
  }
}
