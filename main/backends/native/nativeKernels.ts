import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { appRoot } from '../../config/appRoot'
import { environment } from '../../config/environment'

/** What the compiled addon (main/backends/native/src) exports. */
export interface NativeKernelAddon {
  loadBlas(libraryPath: string): { config: string; threads: number }
  /** Cores this thread's kernels use (0: all), per calling thread. */
  setThreads(threads: number): void
  getThreads(): number
  /** y = activation(conv(x, filter) + bias + residual); activation is one of FUSED_ACTIVATION_CODES. */
  conv2d(
    x: Float32Array, filter: Float32Array, bias: Float32Array | null, y: Float32Array, shape: Int32Array, activation: number,
    residual?: Float32Array | null,
  ): void
  /**
   * Caps the instruction set the kernels use ('avx512': the CPU's widest, the default; 'avx2'; 'generic':
   * im2col + BLAS only, what ARM and Apple CPUs run); returns the set in use. Before loadBlas, it caps
   * OpenBLAS's kernels too. Throws on any other name.
   */
  setInstructionSet(isa: string): InstructionSet
  /** 'direct' (the default: the widest build this CPU runs), 'direct-avx2' (the AVX2 build even on AVX-512) or 'im2col'; whether that direct kernel exists here. */
  setConvAlgorithm(algorithm: 'direct' | 'direct-avx2' | 'im2col'): boolean
  /**
   * A 3x3 filter [3, 3, inC, outC] transformed and packed for conv2dWinograd (Winograd F(2x2, 3x3)), once per
   * compiled plan; null where the build has no Winograd kernel. dims: [inC, outC].
   */
  winogradFilter(filter: Float32Array, dims: Int32Array): Float32Array | null
  /** conv2d from winogradFilter's packed filter; false, with y untouched, unless the shape is 3x3, stride 1, padded 'same'. */
  conv2dWinograd(
    x: Float32Array, packed: Float32Array, bias: Float32Array | null, y: Float32Array, shape: Int32Array, activation: number,
    residual?: Float32Array | null,
  ): boolean
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, shape: Int32Array): void
  /** Returns the kernel that ran: 'direct-avx512', 'direct-avx2' or 'im2col'. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, shape: Int32Array): string
  matMul(a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, dims: Int32Array): void
  batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, dims: Int32Array, epsilon: number): void
  batchNormBackward(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dims: Int32Array, epsilon: number,
  ): void
  sigmoidGrad(dy: Float32Array, y: Float32Array, dx: Float32Array): void
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void
  channelSum(x: Float32Array, out: Float32Array, dims: Int32Array): void
  /** shape: [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft] */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, shape: Int32Array): void
  avgPoolGradTiled(dy: Float32Array, dx: Float32Array, shape: Int32Array): void
  /** dims: [rows, channels]; offset and scale may be null (0 and 1). */
  batchNormInference(
    x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null,
    y: Float32Array, dims: Int32Array, epsilon: number,
  ): void
  /** shape as maxPoolGrad's; mode 0: max, 1: average (over the window's pixels inside the image). */
  pool2d(x: Float32Array, y: Float32Array, shape: Int32Array, mode: number): void
  /** y = the slice of x; dims: [rank, shape x rank, begin x rank, size x rank], rank <= 6. */
  sliceCopy(x: Float32Array, y: Float32Array, dims: Int32Array): void
  /**
   * One optimizer step in place over every parameter (nativeOptimizerStep.ts): table rows [value, gradient,
   * slotA, slotB, size] as element offsets into heap; constants as wb::OptimizerConstants, rule first. Returns
   * the factor clipping scaled the gradients by.
   */
  optimizerStep(heap: Float32Array, table: Float64Array, constants: Float64Array): number
}

/**
 * The activations the addon applies inside a convolution's or product's output (wb::Activation in
 * convKernels.h), by tfjs-layers' names. leakyRelu is PyTorch's, slope 0.01.
 */
export const FUSED_ACTIVATION_CODES: Readonly<Record<string, number>> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, leakyRelu: 4 }

/** The instruction sets the native kernels have builds for (wb::Isa in instructionSets.h), widest first. */
export const INSTRUCTION_SETS = ['avx512', 'avx2', 'generic'] as const
export type InstructionSet = (typeof INSTRUCTION_SETS)[number]

export interface NativeKernels {
  addon: NativeKernelAddon
  /** The widest set this CPU runs, and the set the kernels use (less under WORKBENCH_NATIVE_ISA). */
  cpuIsa: InstructionSet
  isa: InstructionSet
  addonPath: string
  blasPath: string
  /** e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64" */
  blasConfig: string
  threads: number
}

const ADDON_RELATIVE = path.join('main', 'backends', 'native', 'build', 'Release', 'workbench_kernels.node')

/** Optimized BLAS builds, most specific first. Reference BLAS is refused by the addon (slower than wasm). */
export const BLAS_CANDIDATES: readonly string[] = [
  'libopenblas.so.0',
  'libopenblas.so',
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0',
  'libblas.so.3',
  '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
  '/usr/local/opt/openblas/lib/libopenblas.dylib',
  '/System/Library/Frameworks/Accelerate.framework/Accelerate',
]

export function nativeAddonPath(): string {
  return environment('WORKBENCH_NATIVE_KERNELS') ?? path.join(appRoot(), ADDON_RELATIVE)
}

let cached: NativeKernels | undefined

/** WORKBENCH_NATIVE_ISA, checked: undefined when unset, a clear error when it names no set we build. */
export function instructionSetCap(env: NodeJS.ProcessEnv = process.env): InstructionSet | undefined {
  const value = environment('WORKBENCH_NATIVE_ISA', env)?.trim().toLowerCase()
  if (!value) return undefined
  if ((INSTRUCTION_SETS as readonly string[]).includes(value)) return value as InstructionSet
  throw new Error(`WORKBENCH_NATIVE_ISA=${environment('WORKBENCH_NATIVE_ISA', env)} is not an instruction set of the native kernels: use ${INSTRUCTION_SETS.join(', ')}`)
}

/**
 * The kernels for this process, loaded once (see openNativeKernels; WORKBENCH_BLAS forces a library,
 * WORKBENCH_NATIVE_ISA caps the instruction set).
 */
export function loadNativeKernels(): NativeKernels {
  const override = environment('WORKBENCH_BLAS')
  cached ??= openNativeKernels(nativeAddonPath(), override ? [override] : BLAS_CANDIDATES, instructionSetCap())
  return cached
}

/**
 * Loads our Node-API kernels and the first optimized BLAS among the candidates. Throws with a reason a
 * user can act on: the ladder shows it when it passes this rung over.
 */
export function openNativeKernels(addonPath: string, blasCandidates: readonly string[], isaCap?: InstructionSet): NativeKernels {
  if (!existsSync(addonPath)) {
    throw new Error(`native kernels are not built (${addonPath} missing): run "npm run build:native", which needs a C++ compiler`)
  }
  let addon: NativeKernelAddon
  try {
    addon = createRequire(import.meta.url)(addonPath) as NativeKernelAddon
  } catch (error) {
    throw new Error(`native kernels failed to load from ${addonPath}: ${(error as Error).message.split('\n')[0]}`)
  }
  // The CPU's widest set first (no cap), then the cap, before BLAS loads so that it picks its kernels by it.
  const cpuIsa = addon.setInstructionSet('avx512')
  const isa = addon.setInstructionSet(isaCap ?? 'avx512')
  const failures: string[] = []
  for (const candidate of blasCandidates) {
    try {
      const { config, threads } = addon.loadBlas(candidate)
      return { addon, cpuIsa, isa, addonPath, blasPath: candidate, blasConfig: config.trim(), threads }
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message}`)
    }
  }
  throw new Error(
    `no optimized BLAS found (install OpenBLAS, e.g. "apt install libopenblas0-pthread"); tried ${failures.length} libraries, first: ${failures[0]}`,
  )
}
