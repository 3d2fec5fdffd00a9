/**
 * Our own WGSL kernels, registered over tfjs-webgpu's slow ones (Conv2D, FusedConv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter, BatchMatMul, _FusedMatMul, MaxPoolGrad, AvgPoolGrad), and the webgpu side of the
 * fused training-mode batch-norm kernels the BatchNormalization layer runs (tfjs has none). Called by the webgpu rung after
 * @tensorflow/tfjs-backend-webgpu is imported (its kernels must be registered, they are the fallback for
 * what ours do not cover: NCHW, prelu, non-float dtypes) and before its self-test; idempotent.
 */
import { backend_util, getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core'
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, registerBatchNormTrainGradient } from '../../common/batchNormKernel'
import { batchNormShape, batchNormTrainBackward, batchNormTrainForward } from './batchNormKernels'
import { conv2dFilterGradient, conv2dForward, conv2dInputGradient, convSupported } from './convKernels'
import { makeEpilogue, NO_EPILOGUE } from './epilogue'
import type { WebGpuBackendLike } from './gemmProgram'
import { matMulSpec, runMatMul } from './matMulKernels'
import { avgPoolGrad, maxPoolGrad, poolGradSupported } from './poolGradKernels'
import { environment, type EnvironmentVariable } from '../../../config/environment'

const BACKEND = 'webgpu'

/** Env var naming one kernel to break on purpose (drops a reduction term): the self-test and the tests must catch it. */
export const KERNEL_FAULT_ENV = 'WORKBENCH_WEBGPU_KERNEL_FAULT' satisfies EnvironmentVariable
let faultyKernel: string | null = environment(KERNEL_FAULT_ENV) || null

/** Breaks one of our kernels on purpose (tests), or none. */
export function setWebGpuKernelFault(kernelName: string | null): void {
  faultyKernel = kernelName
}

type Args = Parameters<KernelFunc>[0]
type OurKernel = (args: Args, stock: KernelFunc, fault: boolean) => TensorInfo | null

/** A kernel's inputs by name; the optional ones (bias, prelu weights) may be absent. */
type Inputs = { [name: string]: TensorInfo } & { bias?: TensorInfo; preluActivationWeights?: TensorInfo }
const tensors = (args: Args) => args.inputs as Inputs

const attr = <T>(attrs: NamedAttrMap | undefined, name: string) => (attrs as Record<string, unknown> | undefined)?.[name] as T

/** The convolution's geometry from a kernel's attributes (the gradients are never dilated in tfjs: 1). */
function convInfoOf(attrs: NamedAttrMap | undefined, inShape: unknown, filterShape: unknown, dilations: unknown): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attr(attrs, 'strides'),
    dilations as number,
    attr(attrs, 'pad'),
    attr(attrs, 'dimRoundingMode'),
    false,
    backend_util.convertConv2DDataFormat(attr(attrs, 'dataFormat')),
  )
}

/** A pooling gradient's geometry from its attributes (2-D pooling gradients are never dilated in tfjs). */
function poolInfoOf(attrs: NamedAttrMap | undefined, inShape: number[]): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(inShape as [number, number, number, number], attr(attrs, 'filterSize'), attr(attrs, 'strides'), 1, attr(attrs, 'pad'), attr(attrs, 'dimRoundingMode'))
}

const ourKernels: Record<string, OurKernel> = {
  Conv2D: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { x, filter } = tensors(args)
    const convInfo = convInfoOf(attrs, x.shape, filter.shape, attr(attrs, 'dilations'))
    if (!convSupported(convInfo, [x, filter])) return null
    return conv2dForward(backend as WebGpuBackendLike, x, filter, convInfo, NO_EPILOGUE, null, fault)
  },
  FusedConv2D: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { x, filter, bias, preluActivationWeights } = tensors(args)
    const convInfo = convInfoOf(attrs, x.shape, filter.shape, attr(attrs, 'dilations'))
    const biasOk = !bias || (bias.dtype === 'float32' && bias.shape.length <= 1 && (bias.shape[0] ?? 1) === convInfo.outChannels)
    const epilogue = makeEpilogue(bias != null, attr(attrs, 'activation'), attr(attrs, 'leakyreluAlpha'), preluActivationWeights != null)
    if (!epilogue || !biasOk || !convSupported(convInfo, [x, filter])) return null
    return conv2dForward(backend as WebGpuBackendLike, x, filter, convInfo, epilogue, bias ?? null, fault)
  },
  Conv2DBackpropInput: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { dy, filter } = tensors(args)
    const convInfo = convInfoOf(attrs, attr(attrs, 'inputShape'), filter.shape, 1)
    if (!convSupported(convInfo, [dy, filter])) return null
    return conv2dInputGradient(backend as WebGpuBackendLike, dy, filter, convInfo, fault)
  },
  Conv2DBackpropFilter: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { x, dy } = tensors(args)
    const convInfo = convInfoOf(attrs, x.shape, attr(attrs, 'filterShape'), 1)
    if (!convSupported(convInfo, [x, dy])) return null
    return conv2dFilterGradient(backend as WebGpuBackendLike, x, dy, convInfo, fault)
  },
  BatchMatMul: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { a, b } = tensors(args)
    const spec = matMulSpec({ a, b, transposeA: !!attr(attrs, 'transposeA'), transposeB: !!attr(attrs, 'transposeB'), bias: null, epilogue: NO_EPILOGUE, fault })
    return spec ? runMatMul(backend as WebGpuBackendLike, spec, a, b, null) : null
  },
  _FusedMatMul: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { a, b, bias, preluActivationWeights } = tensors(args)
    const epilogue = makeEpilogue(bias != null, attr(attrs, 'activation'), attr(attrs, 'leakyreluAlpha'), preluActivationWeights != null)
    if (!epilogue) return null
    const spec = matMulSpec({ a, b, transposeA: !!attr(attrs, 'transposeA'), transposeB: !!attr(attrs, 'transposeB'), bias: bias ?? null, epilogue, fault })
    return spec ? runMatMul(backend as WebGpuBackendLike, spec, a, b, bias ?? null) : null
  },
  MaxPoolGrad: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { dy, input, output } = tensors(args)
    const poolInfo = poolInfoOf(attrs, input.shape)
    if (!poolGradSupported(poolInfo, [dy, input, output])) return null
    return maxPoolGrad(backend as WebGpuBackendLike, dy, input, output, poolInfo, fault)
  },
  AvgPoolGrad: (args, _stock, fault) => {
    const { backend, attrs } = args
    const { dy, input } = tensors(args)
    const poolInfo = poolInfoOf(attrs, input.shape)
    if (!poolGradSupported(poolInfo, [dy, input])) return null
    return avgPoolGrad(backend as WebGpuBackendLike, dy, poolInfo, fault)
  },
}

type OwnKernel = (args: Args, fault: boolean) => TensorInfo[]

/** Kernels tfjs does not have for webgpu (no stock to fall back on): they must cover every input they accept. */
const ownKernels: Record<string, OwnKernel> = {
  [BATCH_NORM_TRAIN]: (args, fault) => {
    const { x, gamma, beta } = tensors(args)
    if (!batchNormShape(x)) throw new Error(`${BATCH_NORM_TRAIN} on webgpu needs float32 channels-last input of rank >= 2, got ${x.dtype} ${JSON.stringify(x.shape)}`)
    return batchNormTrainForward(args.backend as WebGpuBackendLike, x, gamma, beta, attr(args.attrs, 'epsilon'), fault)
  },
  [BATCH_NORM_TRAIN_GRAD]: (args, fault) => {
    const { dy, x, gamma, mean, variance } = tensors(args)
    return batchNormTrainBackward(args.backend as WebGpuBackendLike, dy, x, gamma, mean, variance, attr(args.attrs, 'epsilon'), fault)
  },
}

/** tfjs's own kernels, kept to fall back on and to restore (profile: ours vs stock). */
const stockKernels = new Map<string, KernelConfig>()

/** Registers ours over tfjs-webgpu's kernels; returns the kernel names now ours. */
export function registerWebGpuKernels(): string[] {
  const names: string[] = []
  for (const [kernelName, ours] of Object.entries(ourKernels)) {
    const current = getKernel(kernelName, BACKEND)
    if (!stockKernels.has(kernelName)) {
      if (!current) throw new Error(`webgpu kernels: tfjs has no webgpu ${kernelName} kernel to replace; import @tensorflow/tfjs-backend-webgpu before registering ours`)
      stockKernels.set(kernelName, current)
    }
    const stock = stockKernels.get(kernelName)!
    if (current) unregisterKernel(kernelName, BACKEND)
    const kernelFunc: KernelFunc = (args) => ours(args, stock.kernelFunc, faultyKernel === kernelName) ?? stock.kernelFunc(args)
    registerKernel({ kernelName, backendName: BACKEND, kernelFunc, setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc })
    names.push(kernelName)
  }
  for (const [kernelName, own] of Object.entries(ownKernels)) {
    if (!getKernel(kernelName, BACKEND)) {
      registerKernel({ kernelName, backendName: BACKEND, kernelFunc: ((args: Args) => own(args, faultyKernel === kernelName)) as unknown as KernelFunc })
    }
    names.push(kernelName)
  }
  registerBatchNormTrainGradient()
  return names
}

/** Puts tfjs's kernels back (to compare ours with stock); without ours, the batch-norm layer composes tfjs ops again. */
export function restoreStockWebGpuKernels(): void {
  for (const kernelName of Object.keys(ownKernels)) {
    if (getKernel(kernelName, BACKEND)) unregisterKernel(kernelName, BACKEND)
  }
  for (const [kernelName, stock] of stockKernels) {
    if (getKernel(kernelName, BACKEND)) unregisterKernel(kernelName, BACKEND)
    registerKernel(stock)
  }
}
