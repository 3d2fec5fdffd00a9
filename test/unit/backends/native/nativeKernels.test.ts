import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { nativeAddonPath, openNativeKernels, type NativeKernels } from '../../../../main/backends/native/nativeKernels'
import { loadNativeKernelsForTests } from '../../../helpers/nativeKernelsForTests'
import { activeNativeKernels, setWasmBlasKernels } from '../../../../main/backends/native/wasmBlasKernels'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { batchNormalization } from '../../../../main/engine/model/layers/batchNormalization'
import { updateMovingAverageInPlace } from '../../../../main/backends/native/batchNormKernels'
import { selectBackend } from '../../../../main/backends/backendLadder'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { createParallelGradientEngine } from '../../../../main/engine/trainingLoop/parallel/gradientEngine'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'

/**
 * The wasm-blas rung's kernels (main/backends/native) against tfjs's pure-JS cpu backend: convolutions
 * forward and both gradients over strides, paddings and channel counts, matrix products in every
 * transpose, and training-mode batch norm with its moving statistics. Skipped, saying why, where the
 * addon or an optimized BLAS is missing; CI sets WORKBENCH_REQUIRE_NATIVE so that it cannot skip there.
 */
const loaded = loadNativeKernelsForTests('native kernel tests')
const unavailable = loaded.unavailable
const native = loaded.native as NativeKernels

const rand = createRandom(77)
const values = (shape: number[], offset = 0) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1 + offset)

/** max |a-b| / max(1,|b|) */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]))
    m = Number.isNaN(d) ? Infinity : Math.max(m, d)
  }
  return m
}

/** Runs fn on cpu and on wasm-blas (fresh tensors from the same arrays) and compares every output. */
async function compare(label: string, fn: () => tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const outputs: Float32Array[][] = []
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend)
    const result = tf.tidy(fn)
    outputs.push(result.map((t) => t.dataSync() as Float32Array))
    tf.dispose(result)
  }
  outputs[0].forEach((cpu, i) => {
    const diff = maxRelDiff(outputs[1][i], cpu)
    expect(diff, `${label} output ${i}: max difference ${diff}`).toBeLessThan(tolerance)
  })
}

interface ConvCase {
  n: number
  h: number
  w: number
  ci: number
  co: number
  k: number
  s: number
  pad: 'same' | 'valid'
  dilation?: number
}

const CONV_CASES: ConvCase[] = [
  { n: 3, h: 9, w: 7, ci: 3, co: 5, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 10, w: 10, ci: 4, co: 6, k: 3, s: 2, pad: 'same' },
  // strided 'valid' convolutions leave trailing input rows unread
  { n: 2, h: 12, w: 11, ci: 3, co: 4, k: 3, s: 2, pad: 'valid' },
  // LeNet's first layer: one channel, 5x5, padding 2
  { n: 5, h: 12, w: 12, ci: 1, co: 6, k: 5, s: 1, pad: 'same' },
  // pointwise (no im2col) and strided pointwise (ResNet shortcuts)
  { n: 3, h: 5, w: 6, ci: 8, co: 7, k: 1, s: 1, pad: 'valid' },
  { n: 3, h: 6, w: 6, ci: 8, co: 16, k: 1, s: 2, pad: 'valid' },
  // AlexNet-like 11x11 stride 4, and a single output channel
  { n: 2, h: 27, w: 27, ci: 3, co: 4, k: 11, s: 4, pad: 'valid' },
  { n: 4, h: 7, w: 7, ci: 5, co: 1, k: 3, s: 1, pad: 'same' },
  // batch of one (no threads to split over) and a batch larger than one im2col block
  { n: 1, h: 8, w: 8, ci: 6, co: 3, k: 3, s: 1, pad: 'same' },
  { n: 5, h: 16, w: 16, ci: 64, co: 8, k: 3, s: 1, pad: 'same' },
  // a 3x3 convolution of a 1x1 map (ResNet-18's last stage at 32 px), and maps smaller than the
  // filter in one axis or both (the forward crops the taps that only read padding)
  { n: 4, h: 1, w: 1, ci: 16, co: 8, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 2, w: 5, ci: 3, co: 4, k: 5, s: 1, pad: 'same' },
  { n: 2, h: 3, w: 2, ci: 3, co: 4, k: 7, s: 2, pad: 'same' },
  // small padded maps whose input gradient runs the direct kernel by position (32+ input channels)
  { n: 24, h: 4, w: 4, ci: 32, co: 40, k: 3, s: 1, pad: 'same' },
  { n: 13, h: 2, w: 2, ci: 48, co: 33, k: 3, s: 1, pad: 'same' },
]

describe.skipIf(unavailable)('native kernels (wasm-blas) against the cpu backend', () => {
  beforeAll(async () => {
    await initWasmBackend()
    setWasmBlasKernels(native)
  })

  it.each(CONV_CASES)('conv2d forward and both gradients: %o', async (c) => {
    const x = values([c.n, c.h, c.w, c.ci])
    const w = values([c.k, c.k, c.ci, c.co])
    await compare(`conv ${JSON.stringify(c)}`, () => {
      const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.ci])
      const wt = tf.tensor4d(w, [c.k, c.k, c.ci, c.co])
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad)
      // A weighted sum, so that every output position carries a different gradient.
      const y = f(xt, wt)
      const weights = tf.reshape(tf.sin(tf.range(0, y.size)), y.shape)
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), weights)))([xt, wt])
      return [y, dx, dw]
    })
  })

  it('conv2d with dilation, fused bias and relu (inference path)', async () => {
    const x = values([2, 9, 9, 3])
    const w = values([3, 3, 3, 4])
    const b = values([4])
    await compare('dilated and fused conv', () => {
      const xt = tf.tensor4d(x, [2, 9, 9, 3])
      const wt = tf.tensor4d(w, [3, 3, 3, 4])
      return [
        tf.conv2d(xt, wt, 1, 'same', 'NHWC', 2),
        tf.fused.conv2d({ x: xt, filter: wt, strides: 1, pad: 'same', bias: tf.tensor1d(b), activation: 'relu' }),
        tf.fused.conv2d({ x: xt, filter: wt, strides: 2, pad: 'valid', bias: tf.tensor1d(b) }),
      ]
    })
  })

  // Output channel counts around the direct kernel's blocks (16 and 32 wide on AVX-512, 8 and 16 on AVX2),
  // pixel counts around its tiles (12 or 6), strides, explicit and 'same' padding, 1x1 and 11x11/4.
  it.each([
    { n: 1, h: 5, w: 7, ci: 3, co: 6, k: 3, s: 1, pad: 1 },
    { n: 2, h: 8, w: 8, ci: 16, co: 17, k: 3, s: 2, pad: 1 },
    { n: 3, h: 4, w: 4, ci: 8, co: 33, k: 1, s: 1, pad: 0 },
    { n: 2, h: 9, w: 9, ci: 5, co: 48, k: 5, s: 1, pad: 2 },
    { n: 1, h: 23, w: 23, ci: 1, co: 96, k: 11, s: 4, pad: 0 },
    { n: 13, h: 2, w: 2, ci: 32, co: 64, k: 3, s: 1, pad: 1 },
    // Small padded maps at a batch that fills the tiles: enumerated by position, multiplying only the taps
    // inside the image (ResNet-18's 4x4 stage, its stride-2 entry, and a 5x5 filter wider than the map).
    { n: 24, h: 4, w: 4, ci: 20, co: 40, k: 3, s: 1, pad: 1 },
    { n: 12, h: 8, w: 8, ci: 16, co: 24, k: 3, s: 2, pad: 1 },
    { n: 12, h: 3, w: 3, ci: 8, co: 16, k: 5, s: 1, pad: 2 },
    // One input channel into at most 8 (pixels in the lanes): a row of 21 is one full vector and a part.
    { n: 3, h: 7, w: 21, ci: 1, co: 6, k: 5, s: 1, pad: 2 },
    { n: 2, h: 5, w: 5, ci: 1, co: 8, k: 3, s: 1, pad: 0 },
    // One image's 3x3 map: one tile per block, whose filter columns are read in place.
    { n: 1, h: 3, w: 3, ci: 16, co: 64, k: 3, s: 1, pad: 1 },
  ])('direct and im2col convolutions agree with cpu, with bias, residual and every fused activation: %o', async (c) => {
    const oh = Math.floor((c.h + 2 * c.pad - c.k) / c.s) + 1
    const ow = Math.floor((c.w + 2 * c.pad - c.k) / c.s) + 1
    const x = values([c.n, c.h, c.w, c.ci])
    const w = values([c.k, c.k, c.ci, c.co])
    const b = values([c.co])
    const r = values([c.n, oh, ow, c.co])
    const shape = Int32Array.of(c.n, c.h, c.w, c.ci, oh, ow, c.co, c.k, c.k, c.s, c.s, c.pad, c.pad, 1, 1)
    await tf.setBackend('cpu')
    // With and without the residual (without one, one input channel takes the pixels-in-lanes kernel).
    const expectedFor = (residual: boolean): Record<number, Float32Array> =>
      tf.tidy(() => {
        const padded = tf.pad(tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]])
        const conv = tf.add(tf.conv2d(padded as tf.Tensor4D, tf.tensor4d(w, [c.k, c.k, c.ci, c.co]), c.s, 'valid'), tf.tensor1d(b))
        const sum = residual ? tf.add(conv, tf.tensor4d(r, [c.n, oh, ow, c.co])) : conv
        return {
          0: sum.dataSync() as Float32Array,
          1: tf.relu(sum).dataSync() as Float32Array,
          2: tf.sigmoid(sum).dataSync() as Float32Array,
          3: tf.tanh(sum).dataSync() as Float32Array,
          4: tf.leakyRelu(sum, 0.01).dataSync() as Float32Array,
        }
      })
    try {
      for (const algorithm of ['direct', 'direct-avx2', 'im2col'] as const) {
        native.addon.setConvAlgorithm(algorithm)
        for (const residual of [true, false]) {
          for (const [code, reference] of Object.entries(expectedFor(residual))) {
            const y = new Float32Array(reference.length)
            native.addon.conv2d(x, w, b, y, shape, Number(code), residual ? r : null)
            const diff = maxRelDiff(y, reference)
            expect(diff, `${algorithm}, activation ${code}, residual ${residual}`).toBeLessThan(1e-5)
          }
        }
      }
    } finally {
      native.addon.setConvAlgorithm('direct')
    }
  })

  it('refuses an activation code it does not know', () => {
    const shape = Int32Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1)
    expect(() => native.addon.conv2d(new Float32Array(1), new Float32Array(1), null, new Float32Array(1), shape, 9)).toThrow(/unknown activation/)
  })

  it('inference kernels: batch norm with moving statistics, max and average pooling, spatial padding', async () => {
    const x = values([3, 9, 8, 5])
    const [mean, variance, offset, scale] = [values([5]), values([5], 1.5), values([5]), values([5])]
    await compare('inference kernels', () => {
      const xt = tf.tensor4d(x, [3, 9, 8, 5])
      const t = (v: Float32Array) => tf.tensor1d(v)
      return [
        tf.batchNorm(xt, t(mean), t(variance), t(offset), t(scale), 1e-3),
        tf.batchNorm(xt, t(mean), t(variance), undefined, undefined, 1e-3),
        tf.maxPool(xt, 3, 2, 'same'),
        tf.maxPool(xt, 2, 2, 'valid'),
        tf.avgPool(xt, 3, 2, 'same'),
        tf.avgPool(xt, 2, 2, 'valid'),
        tf.avgPool(xt, [3, 2], [1, 2], 'valid'),
        tf.pad(xt, [[0, 0], [1, 1], [2, 0], [0, 0]]),
        tf.pad(xt, [[0, 0], [0, 3], [1, 1], [0, 0]], 0.5),
        // Not covered natively (padded channels): the kernel registered before runs it.
        tf.pad(xt, [[0, 0], [0, 0], [0, 0], [1, 1]]),
      ]
    })
  })

  it('the addon\'s pooling and batch norm themselves match the cpu backend', async () => {
    await tf.setBackend('cpu')
    const x = values([2, 7, 6, 3])
    const xt = tf.tensor4d(x, [2, 7, 6, 3])
    // [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft] of a
    // 3x3 stride-2 'same' window: outputs 4x3, padding 1 at the top and 0 at the left (tfjs's split)
    const shape = Int32Array.of(2, 7, 6, 3, 4, 3, 3, 3, 2, 2, 1, 0)
    for (const [mode, reference] of [[0, tf.maxPool(xt, 3, 2, 'same')], [1, tf.avgPool(xt, 3, 2, 'same')]] as const) {
      const y = new Float32Array(reference.size)
      native.addon.pool2d(x, y, shape, mode)
      expect(maxRelDiff(y, reference.dataSync())).toBeLessThan(1e-6)
    }
    const [mean, variance, scale] = [values([3]), values([3], 1.5), values([3])]
    const y = new Float32Array(x.length)
    native.addon.batchNormInference(x, mean, variance, null, scale, y, Int32Array.of(x.length / 3, 3), 1e-3)
    const reference = tf.batchNorm(xt, tf.tensor1d(mean), tf.tensor1d(variance), undefined, tf.tensor1d(scale), 1e-3)
    expect(maxRelDiff(y, reference.dataSync())).toBeLessThan(1e-5)
    expect(() => native.addon.pool2d(x, new Float32Array(5), shape, 0)).toThrow(/y has 5 elements/)
  })

  it('matrix products in every transpose, fused bias and relu, and batched products', async () => {
    const a = values([7, 5])
    const b = values([5, 9])
    const bias = values([9])
    const batched = values([3, 4, 5])
    await compare('matmul', () => {
      const at = tf.tensor2d(a, [7, 5])
      const bt = tf.tensor2d(b, [5, 9])
      return [
        tf.matMul(at, bt),
        tf.matMul(tf.transpose(at), bt, true, false),
        tf.matMul(at, tf.transpose(bt), false, true),
        tf.matMul(tf.transpose(at), tf.transpose(bt), true, true),
        tf.fused.matMul({ a: at, b: bt, bias: tf.tensor1d(bias), activation: 'relu' }),
        tf.matMul(tf.tensor3d(batched, [3, 4, 5]), tf.tensor3d(batched, [3, 4, 5]), false, true),
      ]
    })
  })

  it('training-mode batch norm: output, gradients and moving statistics match tfjs-layers on cpu', async () => {
    // A large mean per channel checks the two-pass variance.
    const x = values([6, 5, 4, 3], 20)
    const dyWeights = values([6, 5, 4, 3])
    const gamma = values([3], 1.5)
    const beta = values([3])
    await compare('batch norm', () => {
      const layer = batchNormalization({ name: 'bn', axis: -1, momentum: 0.9, epsilon: 1e-5 })
      layer.build([null, 5, 4, 3])
      layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.zeros([3]), tf.ones([3])])
      const xt = tf.tensor4d(x, [6, 5, 4, 3])
      const weights = tf.tensor4d(dyWeights, [6, 5, 4, 3])
      const trainable = layer.trainableWeights.map((v) => v.read() as tf.Variable)
      const loss = () => tf.sum(tf.mul(layer.apply(xt, { training: true }) as tf.Tensor, weights)) as tf.Scalar
      const { grads } = tf.variableGrads(loss, trainable)
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, weights)))(xt)
      const y = layer.apply(xt, { training: true }) as tf.Tensor
      // Three training calls have updated the moving statistics three times.
      return [y, dx, ...trainable.map((v) => grads[v.name]), ...layer.getWeights().slice(2)]
    }, 2e-4)
  })

  it('moving statistics are updated in place, bit-identical to the tfjs ops, and never in a shared buffer', async () => {
    await tf.setBackend('wasm')
    const initial = tf.tensor1d(values([4099], 3))
    // (A variable made from a tensor shares its buffer until that tensor goes, as a layer's weights do not.)
    const moving = tf.variable(initial)
    initial.dispose()
    // Thousands of values, so that rounding once (in double) instead of after each float32 step shows.
    const batch = tf.tensor1d(values([4099]))
    const expected = Array.from(tf.sub(moving, tf.mul(tf.sub(moving, batch), 1 - 0.99)).dataSync())
    expect(updateMovingAverageInPlace(moving, batch, 0.99)).toBe(true)
    expect(Array.from(moving.dataSync())).toEqual(expected)
    // A clone shares the buffer: writing it in place would change the clone too, so tfjs's ops must do it.
    const clone = tf.clone(moving)
    expect(updateMovingAverageInPlace(moving, batch, 0.99)).toBe(false)
    expect(Array.from(clone.dataSync())).toEqual(expected)
    tf.dispose([moving, batch, clone])
  })

  it.each([
    { pool: 'max', size: 2, stride: 2, pad: 'valid' },
    { pool: 'max', size: 3, stride: 2, pad: 'same' },
    { pool: 'max', size: 3, stride: 1, pad: 'same' },
    { pool: 'avg', size: 2, stride: 2, pad: 'valid' },
    { pool: 'avg', size: 3, stride: 2, pad: 'same' },
  ] as const)('pooling gradients after tanh (all-negative windows included): %o', async (c) => {
    // Odd sizes leave a last row and column outside every tiled window; values rounded to thirds make
    // ties in most windows (the first maximum must win), and the shift makes many windows all-negative.
    // 13 channels: one 8-wide vector of the max-pool gradient and a scalar tail.
    const x = values([3, 9, 7, 13]).map((v) => Math.round(v * 3) / 3 - 0.4)
    await compare(`${c.pool} pool`, () => {
      const f = (input: tf.Tensor) => {
        const t = tf.tanh(input) as tf.Tensor4D
        const pooled = c.pool === 'max' ? tf.maxPool(t, c.size, c.stride, c.pad) : tf.avgPool(t, c.size, c.stride, c.pad)
        return tf.sum(tf.mul(pooled, tf.reshape(tf.sin(tf.range(0, pooled.size)), pooled.shape)))
      }
      return [tf.grad(f)(tf.tensor4d(x, [3, 9, 7, 13]))]
    })
  })

  it('slices and splits along every axis, and the gradients of concatenation and padding that use them', async () => {
    // 5 x 9 x 7 x 24 = 7,560 floats: above the size where the addon takes over; the 2 x 3 x 3 x 4 one stays on wasm.
    const x = values([5, 9, 7, 24])
    const weights = values([5, 9, 7, 24]).reverse()
    const small = values([2, 3, 3, 4])
    await compare('slices and splits', () => {
      const t = tf.tensor4d(x, [5, 9, 7, 24])
      const parts = tf.split(t, [5, 11, 8], 3)
      const dy = tf.tensor4d(weights, [5, 9, 7, 24])
      // Both gradients are copies of dy: the slices must be exact.
      const [dConcat] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, b], 3), tf.concat([dy, dy], 3))))([t, t])
      const dPad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.pad(a, [[0, 0], [1, 1], [2, 1], [0, 0]]), tf.ones([5, 11, 10, 24]))))(t)
      return [
        tf.slice(t, [0, 1, 1, 0], [5, 7, 5, 24]),
        tf.slice(t, [1, 0, 0, 3], [3, 9, 7, 10]),
        tf.slice(t, [2, 4, 0, 0], [-1, -1, -1, -1]),
        tf.slice(tf.reshape(t, [45, 168]), [3, 5], [40, 100]),
        ...parts,
        ...tf.split(t, 3, 1),
        tf.slice(tf.tensor4d(small, [2, 3, 3, 4]), [0, 1, 1, 1], [2, 2, 2, 2]),
        dConcat,
        dPad,
      ]
    }, 1e-12)
  })

  it('activation and bias gradients: sigmoid, relu, and sums over all axes but the last', async () => {
    const x = values([4, 5, 6, 7]).map((v, i) => (i % 13 === 0 ? 0 : v))
    await compare('activations', () => {
      const xt = tf.tensor4d(x, [4, 5, 6, 7])
      const weights = tf.reshape(tf.cos(tf.range(0, xt.size)), xt.shape)
      const weighted = (fn: (t: tf.Tensor) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fn(t), weights)))(xt)
      return [
        weighted(tf.sigmoid),
        weighted(tf.relu),
        tf.sum(xt, [0, 1, 2]),
        tf.sum(xt, [0, 1, 2], true),
        tf.sum(xt, [1, 2]),
        tf.sum(tf.reshape(xt, [20, 42]), 0),
      ]
    })
  })

  it('gives the same results on one thread as on every core', async () => {
    await tf.setBackend('wasm')
    const shape: [number, number, number, number] = [6, 8, 8, 16]
    const x = values(shape)
    const w = values([3, 3, 16, 8])
    const run = () =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))
        return tf.grads(f)([tf.tensor4d(x, shape), tf.tensor4d(w, [3, 3, 16, 8])]).map((t) => t.dataSync() as Float32Array)
      })
    const all = run()
    native.addon.setThreads(1)
    const one = run()
    native.addon.setThreads(0)
    all.forEach((values, i) => expect(maxRelDiff(values, one[i])).toBeLessThan(1e-4))
  })

  it('data-parallel training drops this thread to one core and gives back the count it had', async () => {
    await tf.setBackend('wasm')
    native.addon.setThreads(3)
    const spec = getArchitecture('lenet-relu')
    const model = createModel(spec, spec.input, 1)
    const engine = await createParallelGradientEngine(model, { replicas: 2, classes: 10, imageShape: [28, 28, 1], weightDecay: 0 })
    try {
      expect(native.addon.getThreads()).toBe(1)
      const result = await engine.compute(new Float32Array(4 * 784).fill(0.5), Int32Array.of(1, 2, 3, 4), 4)
      expect(Number.isFinite(result.loss)).toBe(true)
      tf.dispose(result.grads)
    } finally {
      await engine.dispose()
      model.dispose()
    }
    expect(native.addon.getThreads()).toBe(3)
    native.addon.setThreads(0)
  }, 60_000)

  it('refuses arrays that do not match the shape instead of reading past them', () => {
    const shape = Int32Array.of(1, 4, 4, 1, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1)
    const ok = () => native.addon.conv2d(new Float32Array(16), new Float32Array(18), null, new Float32Array(32), shape, 0)
    expect(ok).not.toThrow()
    expect(() => native.addon.conv2d(new Float32Array(15), new Float32Array(18), null, new Float32Array(32), shape, 0)).toThrow(/x has 15 elements, expected 16/)
    expect(() => native.addon.conv2d(new Float32Array(16), new Float32Array(18), null, new Float32Array(31), shape, 0)).toThrow(/y has 31/)
    expect(() => native.addon.conv2d(new Float32Array(16), new Float32Array(18), null, new Float32Array(32), Int32Array.of(1, 2), 0)).toThrow(/Int32Array of 15/)
    expect(() => native.addon.matMul(new Float32Array(6), new Float32Array(6), null, new Float32Array(4), Int32Array.of(2, 2, 3, 0, 0, 0))).not.toThrow()
    expect(() => native.addon.matMul(new Float64Array(6) as unknown as Float32Array, new Float32Array(6), null, new Float32Array(4), Int32Array.of(2, 2, 3, 0, 0, 0))).toThrow(/Float32Array/)
  })

  it('the plain wasm rung switches the native kernels off again', async () => {
    const report = await selectBackend('wasm')
    expect(report.name).toBe('wasm')
    expect(activeNativeKernels()).toBeNull()
    const blas = await selectBackend('wasm-blas')
    expect(blas.name).toBe('wasm-blas')
    expect(blas.detail).toContain(native.blasPath)
    expect(activeNativeKernels()).not.toBeNull()
  })
})

describe('native kernels that cannot load', () => {
  it('say the addon is not built, with the command that builds it', () => {
    expect(() => openNativeKernels('/nonexistent/workbench_kernels.node', ['libopenblas.so.0'])).toThrow(/not built.*npm run build:native/)
  })

  it.skipIf(unavailable)('say no optimized BLAS was found, with the package to install', () => {
    expect(() => openNativeKernels(nativeAddonPath(), ['/nonexistent/libopenblas.so.0', 'libc.so.6'])).toThrow(
      /no optimized BLAS found \(install OpenBLAS.*tried 2 libraries/,
    )
  })
})
