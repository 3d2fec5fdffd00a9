/**
 * Our GEMM kernels in mixed precision (f16 operands, f32 accumulation) against the cpu backend in fp32,
 * on the webgpu rung's own device (it requests shader-f16; Mesa's lavapipe offers it). Two comparisons
 * per case:
 * - with the inputs rounded to f16 beforehand, the cpu computes exactly what the kernel should (the
 *   products of f16 values are exact in f32), so the results agree to f32 summation order: 1e-4, the fp32
 *   suite's tolerance. A kernel that rounded its sums, or left an operand in f32, misses one way or the other.
 * - with the raw inputs, the difference is f16's rounding: each operand is off by up to 2^-11 relative
 *   (4.9e-4), a product by ~1e-3, and on unit-scale random data the errors of a K-term sum largely cancel
 *   (they grow as sqrt(K) like the sum itself). 1e-2 of the result's scale is that bound with a margin of
 *   ~10x, what PyTorch's autocast tests accept for f16 matmuls too; and above 1e-6 it proves the f16 path ran.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
// tfjs-layers registers the gradients (the core's register_all_gradients cannot be imported as ESM under Node).
import * as tfl from '@tensorflow/tfjs-layers'
import { webgpuAdapterUnavailable } from '../../../../helpers/webgpuAdapter'
import { on, prepareDawnEnvironment, randArrays, relDiff, type ConvCase } from '../../../../helpers/webgpuKernelHarness'
import { f16roundAll } from '../../../../helpers/f16'
import { gemmTuning, GemmProgram, type GemmSpec, type GemmTiling } from '../../../../../main/backends/webgpu/kernels/gemmProgram'
import { hoistEnableDirectives, setKernelPrecision } from '../../../../../main/backends/webgpu/kernels/precision'
import { NO_EPILOGUE } from '../../../../../main/backends/webgpu/kernels/epilogue'
import { TrainConfig } from '../../../../../shared/api/schemas'
import { inMemoryBatchSource } from '../../../../../main/data/pipeline/batchSource'
import { trainModel } from '../../../../../main/engine/trainingLoop/trainer'
import type { TrainOptions } from '../../../../../main/engine/trainingLoop/trainingContract'
import { GRAD_SCALER_DEFAULTS, type LossScalingOptions } from '../../../../../main/engine/trainingLoop/lossScaler'

const EXACT_TOL = 1e-4
const F16_TOL = 1e-2

prepareDawnEnvironment()

async function openRung(): Promise<string | undefined> {
  const missing = webgpuAdapterUnavailable()
  if (missing) return missing
  const { loadWebGpuRung, webgpuOffersF16 } = await import('../../../../../main/backends/webgpu/webgpuRung')
  await loadWebGpuRung({ forced: true })
  if (!webgpuOffersF16()) return 'the WebGPU adapter does not offer shader-f16'
  return undefined
}
const unavailable = await openRung()
if (unavailable) console.warn(`webgpuMixedPrecision.test: kernel cases skipped, ${unavailable}`)

const randArray = randArrays(1614)

const maxDiff = (gpu: Float32Array[], cpu: Float32Array[]) => Math.max(...gpu.map((g, i) => relDiff(g, cpu[i])))

/**
 * The mixed-precision webgpu results of fn(inputs) against cpu fp32: [on f16-rounded inputs, on raw
 * inputs], each the largest relative difference over fn's outputs.
 */
async function mixedVsCpu(inputs: Float32Array[], fn: (inputs: Float32Array[]) => tf.Tensor[]): Promise<{ exact: number; rounding: number }> {
  const rounded = inputs.map(f16roundAll)
  setKernelPrecision('mixed')
  try {
    const gpuRaw = await on('webgpu', () => fn(inputs))
    const gpuRounded = await on('webgpu', () => fn(rounded))
    const cpuRaw = await on('cpu', () => fn(inputs))
    const cpuRounded = await on('cpu', () => fn(rounded))
    return { exact: maxDiff(gpuRounded, cpuRounded), rounding: maxDiff(gpuRaw, cpuRaw) }
  } finally {
    setKernelPrecision('fp32')
  }
}

function expectMixed({ exact, rounding }: { exact: number; rounding: number }): void {
  expect(exact).toBeLessThan(EXACT_TOL)
  expect(rounding).toBeLessThan(F16_TOL)
  expect(rounding).toBeGreaterThan(1e-6)
}

describe('hoisting WGSL enable directives', () => {
  it('moves enable lines first, once each, and leaves other shaders alone', () => {
    const code = 'struct Uniforms { a : f32 };\n      enable f16;\nvar<workgroup> t : array<vec4<f16>, 4>;\n  enable f16;\nfn main() {}'
    const out = hoistEnableDirectives(code)
    expect(out.startsWith('enable f16;\n')).toBe(true)
    expect(out.match(/enable f16;/g)).toHaveLength(1)
    expect(out).toContain('struct Uniforms')
    const plain = 'fn main() { let enabled = 1; }'
    expect(hoistEnableDirectives(plain)).toBe(plain)
  })
})

describe('the GEMM program', () => {
  const spec: GemmSpec = {
    key: 'probe', indexFns: '', aName: 'aData', bName: 'bData', aContiguous: 'k', bContiguous: 'n', aVec4: true, bVec4: true,
    M: 64, N: 64, K: 64, batch: 1, inputNames: ['aData', 'bData'], outputShape: [64, 64], epilogue: NO_EPILOGUE, fault: false,
  }
  const tiling: GemmTiling = { rowsPerThread: 4, colsPerThread: 4, chunks: 1, kPerChunk: 64 }
  it('stages f16 tiles and keys its pipeline apart only in mixed precision', () => {
    const fp32 = new GemmProgram(spec, tiling)
    const mixed = new GemmProgram(spec, tiling, 'mixed')
    expect(fp32.getUserCode()).not.toMatch(/f16/)
    expect(mixed.getUserCode()).toMatch(/enable f16;/)
    expect(mixed.getUserCode()).toMatch(/var<workgroup> tileA : array<vec4<f16>/)
    expect(mixed.shaderKey).toBe(`${fp32.shaderKey}_f16`)
  })
})

// Each shape compiles new pipelines (slow on lavapipe): a few that reach the loaders' paths in f16:
// scalar and vec4 operands, both contiguities, stride 2, a split reduction, big tiles.
const convCases: ConvCase[] = [
  { label: 'odd sizes 3x3, 3 channels (scalar loads)', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { label: 'stride 2 same (vec4 loads)', x: [2, 9, 9, 4], filter: [3, 3, 4, 8], stride: 2, pad: 'same' },
  { label: '11x11 stride 4, 1 channel, batch 1', x: [1, 27, 27, 1], filter: [11, 11, 1, 4], stride: 4, pad: 'valid' },
  { label: 'reduction longer than a tile, split-K', x: [2, 10, 10, 20], filter: [3, 3, 20, 12], stride: 1, pad: 'same', force: { rowsPerThread: 4, colsPerThread: 4, chunks: 3 } },
  { label: '128x128 tiles', x: [2, 10, 10, 20], filter: [3, 3, 20, 12], stride: 1, pad: 'same', force: { rowsPerThread: 8, colsPerThread: 8, chunks: 1 } },
]

describe.skipIf(unavailable != null)('our webgpu GEMM kernels in mixed precision vs cpu fp32', { timeout: 600_000 }, () => {
  afterEach(() => {
    gemmTuning.force = null
  })

  for (const c of convCases) {
    it(`conv2d forward, input gradient and filter gradient: ${c.label}`, async () => {
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.stride, c.pad).shape)
      gemmTuning.force = c.force ?? null
      const result = await mixedVsCpu([randArray(c.x), randArray(c.filter), randArray(outShape)], ([x, f, dy]) => {
        const conv = (xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad)
        const [dx, dw] = tf.grads(conv)([tf.tensor4d(x, c.x), tf.tensor4d(f, c.filter)], tf.tensor4d(dy, outShape))
        return [conv(tf.tensor4d(x, c.x), tf.tensor4d(f, c.filter)), dx, dw]
      })
      expectMixed(result)
    })
  }

  it('fused conv2d with bias and relu (bias added in f32)', async () => {
    const c = convCases[1]
    const result = await mixedVsCpu([randArray(c.x), randArray(c.filter), randArray([c.filter[3]])], ([x, f, b]) => [
      tf.fused.conv2d({ x: tf.tensor4d(x, c.x), filter: tf.tensor4d(f, c.filter), strides: c.stride, pad: c.pad, bias: tf.tensor1d(b), activation: 'relu' }),
    ])
    expectMixed(result)
  })

  const matMulCases = [
    { a: [7, 9], b: [9, 5], transposeA: false, transposeB: false },
    { a: [3, 70, 33], b: [3, 70, 65], transposeA: true, transposeB: false },
    { a: [2, 66, 17], b: [2, 132, 17], transposeA: false, transposeB: true },
  ]
  for (const m of matMulCases) {
    it(`matMul ${m.a} x ${m.b} ${m.transposeA ? 'T' : 'N'}${m.transposeB ? 'T' : 'N'} with its gradients`, async () => {
      const out = tf.tidy(() => tf.matMul(tf.zeros(m.a), tf.zeros(m.b), m.transposeA, m.transposeB).shape)
      const result = await mixedVsCpu([randArray(m.a), randArray(m.b), randArray(out)], ([a, b, dy]) => {
        const f = (aa: tf.Tensor, bb: tf.Tensor) => tf.matMul(aa, bb, m.transposeA, m.transposeB)
        const [ta, tb] = [tf.tensor(a, m.a), tf.tensor(b, m.b)]
        return [f(ta, tb), ...tf.grads(f)([ta, tb], tf.tensor(dy, out))]
      })
      expectMixed(result)
    })
  }

  it('fused matMul with bias and elu', async () => {
    const result = await mixedVsCpu([randArray([2, 33, 21]), randArray([21, 10]), randArray([10])], ([a, b, bias]) => [
      tf.fused.matMul({ a: tf.tensor3d(a, [2, 33, 21]), b: tf.tensor2d(b, [21, 10]), bias: tf.tensor1d(bias), activation: 'elu' }),
    ])
    expectMixed(result)
  })

  it('an operand beyond f16 range (65504) becomes infinite, as loss scaling relies on to detect overflow', async () => {
    const a = new Float32Array([1, 2, 3, 4, 70000, 6, 7, 8])
    setKernelPrecision('mixed')
    try {
      const [out] = await on('webgpu', () => [tf.matMul(tf.tensor2d(a, [2, 4]), tf.ones([4, 4]))])
      expect(Array.from(out.slice(0, 4))).toEqual([10, 10, 10, 10])
      expect(out.slice(4).every((v) => v === Infinity)).toBe(true)
    } finally {
      setKernelPrecision('fp32')
    }
  })

  afterAll(() => setKernelPrecision('fp32'))
})

describe.skipIf(unavailable != null)('training a small conv net in mixed precision on webgpu', { timeout: 600_000 }, () => {
  const SHAPE: [number, number, number] = [8, 8, 3]
  const PIXELS = 8 * 8 * 3
  const count = 32
  // Zero-mean inputs, as the data pipeline's normalization gives: on all-positive pixels the first layer's
  // gradients are small sums of large terms, and their f16 rounding (PyTorch's autocast too) moves them by
  // percents (3.5% on this net's second loss with pixels in [0, 2]), which says nothing about the kernels.
  const data = { count, images: randArray([count, ...SHAPE]), labels: Uint8Array.from({ length: count }, (_, i) => (i * 7) % 5) }
  const shapes = [[3, 3, 3, 8], [8], [3, 3, 8, 8], [8], [72, 5], [5]]
  const initial = shapes.map((shape) => randArray(shape).map((v) => v * 0.3))
  const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.05 }), lrSchedule: 'constant' as const }

  async function train(mixed: boolean, lossScaling: LossScalingOptions | undefined, batches: number) {
    await tf.setBackend('webgpu')
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: SHAPE, filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 5 }),
      ],
    })
    model.setWeights(initial.map((w, i) => tf.tensor(w, shapes[i])))
    const split = { count: batches * 8, images: data.images.subarray(0, batches * 8 * PIXELS), labels: data.labels.subarray(0, batches * 8) }
    const options: TrainOptions = { epochs: 1, batchSize: 8, optimizer: 'momentum', schedule, weightDecay: 0, classes: 5, imageShape: SHAPE, ...(lossScaling ? { lossScaling } : {}) }
    const losses: number[] = []
    const pollsBefore: number[] = []
    let polls = 0
    setKernelPrecision(mixed ? 'mixed' : 'fp32')
    try {
      const outcome = await trainModel(model, { train: inMemoryBatchSource(split, SHAPE, { seed: 2 }), test: split }, options, {
        onBatch: (report) => {
          losses.push(report.loss)
          pollsBefore.push(polls)
        },
        onEpoch: () => undefined,
        shouldStop: () => (polls++, false),
      })
      const weights = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())))
      return { losses, weights, outcome, pollsBefore }
    } finally {
      setKernelPrecision('fp32')
      model.dispose()
    }
  }

  // Measured here: within 3e-4 of fp32 (the f16 rounding of gradients, ~1e-3 of each step's update).
  it('gives finite losses within 1e-2 of fp32 over 4 steps, read back 3 batches behind as in fp32', async () => {
    const fp32 = await train(false, undefined, 4)
    const mixed = await train(true, GRAD_SCALER_DEFAULTS, 4)
    expect(mixed.losses).toHaveLength(4)
    for (const [i, loss] of mixed.losses.entries()) {
      expect(Number.isFinite(loss)).toBe(true)
      expect(Math.abs(loss - fp32.losses[i]) / fp32.losses[i]).toBeLessThan(1e-2)
    }
    // Training happened (the loss moved), in f16: not bit for bit fp32's.
    expect(mixed.losses[3]).not.toBe(mixed.losses[0])
    expect(mixed.weights).not.toEqual(fp32.weights)
    expect(mixed.outcome.lossScaling).toEqual({ skippedSteps: 0, steps: 4, scale: 65536 })
    // No read per batch: the first batch's numbers came once 3 more were queued, as in fp32.
    expect(mixed.pollsBefore[0]).toBe(3)
    expect(fp32.pollsBefore[0]).toBe(3)
  })

  it('a scale that overflows f16 (2^40) skips the step without changing the weights and backs off', async () => {
    const overflow = await train(true, { ...GRAD_SCALER_DEFAULTS, initialScale: 2 ** 40 }, 1)
    expect(overflow.weights).toEqual(initial.map((w) => Array.from(w)))
    expect(overflow.outcome.lossScaling).toEqual({ skippedSteps: 1, steps: 1, scale: 2 ** 39 })
    expect(Number.isFinite(overflow.losses[0])).toBe(true)
  })
})
