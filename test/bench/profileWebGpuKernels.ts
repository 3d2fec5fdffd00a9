/**
 * Our WGSL kernels beside tfjs-webgpu's own, kernel by kernel: ms per call and TFLOP/s for the ResNet-18 3x3
 * shapes at batch 64, AlexNet's conv2 and LeNet's convolutions (forward, input gradient, filter gradient),
 * and matmuls; ms and GB/s (tensor bytes read and written once) for the pooling gradients of LeNet, ResNet-18
 * and AlexNet and for training-mode batch norm (forward; forward and backward), beside tfjs's composed ops,
 * with the number of tfjs kernels each runs. Same shapes as ../shared/gpu/tfjs-kernel-probe.cjs, so the stock column compares with it.
 *   npx tsx test/bench/profileWebGpuKernels.ts [--quick] [--ours-only]
 * On a GPU box without Node tooling, bundle it first (from the repo root):
 *   npx esbuild test/bench/profileWebGpuKernels.ts --bundle --platform=node --format=cjs --external:webgpu \
 *     --outfile=.gpu/profile-webgpu-kernels.cjs
 *   source .gpu/device-setup.sh; node .gpu/profile-webgpu-kernels.cjs
 * On a software adapter (lavapipe) the numbers say nothing about speed; `--quick` runs small shapes to show it works.
 */
import * as tf from '@tensorflow/tfjs-core'
import { batchNormalization } from '../../main/engine/model/layers/batchNormalization'
import { registerWebGpuKernels, restoreStockWebGpuKernels } from '../../main/backends/webgpu/kernels'

type Conv = { b: number; h: number; ci: number; co: number; k: number; stride: number }

const quick = process.argv.includes('--quick')
const oursOnly = process.argv.includes('--ours-only')
const convs: Conv[] = quick
  ? [
      { b: 4, h: 8, ci: 16, co: 16, k: 3, stride: 1 },
      { b: 8, h: 28, ci: 1, co: 6, k: 5, stride: 1 },
    ]
  : [
      { b: 64, h: 32, ci: 64, co: 64, k: 3, stride: 1 },
      { b: 64, h: 16, ci: 128, co: 128, k: 3, stride: 1 },
      { b: 64, h: 8, ci: 256, co: 256, k: 3, stride: 1 },
      { b: 64, h: 4, ci: 512, co: 512, k: 3, stride: 1 },
      { b: 64, h: 32, ci: 64, co: 128, k: 3, stride: 2 },
      { b: 128, h: 27, ci: 96, co: 256, k: 5, stride: 1 },
      { b: 256, h: 28, ci: 1, co: 6, k: 5, stride: 1 },
      { b: 256, h: 14, ci: 6, co: 16, k: 5, stride: 1 },
    ]
const matmuls: Array<[number, number, number]> = quick ? [[64, 96, 80]] : [[128, 6400, 4096], [4096, 4096, 4096], [64, 512, 10]]
type Pool = { b: number; h: number; c: number; k: number; stride: number; pad: 'same' | 'valid' }
const pools: Pool[] = quick
  ? [
      { b: 4, h: 8, c: 16, k: 2, stride: 2, pad: 'valid' },
      { b: 2, h: 9, c: 3, k: 3, stride: 2, pad: 'same' },
    ]
  : [
      { b: 256, h: 28, c: 6, k: 2, stride: 2, pad: 'valid' },
      { b: 256, h: 32, c: 64, k: 3, stride: 2, pad: 'same' },
      { b: 128, h: 55, c: 96, k: 3, stride: 2, pad: 'valid' },
    ]
/** Batch-norm inputs [batch, h, h, channels]: ResNet-18 at batch 256 (first and last stage), bn-lenet's. */
const norms: Array<[number, number, number]> = quick ? [[4, 8, 16], [2, 9, 3]] : [[256, 32, 64], [256, 4, 512], [256, 28, 6]]

/** ms per call: enqueue `reps` calls and wait for the last one only (the queue runs in order). */
async function time(fn: () => tf.Tensor, minMs: number): Promise<number> {
  for (let i = 0; i < 2; i++) {
    const o = fn()
    await o.data()
    o.dispose()
  }
  let reps = 1
  for (;;) {
    const started = performance.now()
    let last: tf.Tensor | null = null
    for (let i = 0; i < reps; i++) {
      last?.dispose()
      last = fn()
    }
    await last!.data()
    last!.dispose()
    const ms = performance.now() - started
    if (ms >= minMs || reps >= 4096) return ms / reps
    reps *= Math.max(2, Math.min(16, Math.ceil(minMs / Math.max(ms, 1))))
  }
}

/** Work per call: FLOPs (shown as TFLOP/s) or bytes moved (shown as GB/s, for kernels bound by memory). */
type Work = { flops: number } | { bytes: number }

/** How many kernels one call dispatches (tf.profile), for the composed-op rows. */
async function kernelCount(fn: () => tf.Tensor): Promise<number> {
  const info = await tf.profile(() => fn())
  tf.dispose(info.result)
  return info.kernels.length
}

async function row(label: string, work: Work, fn: () => tf.Tensor, countKernels = false): Promise<void> {
  const minMs = quick ? 50 : 400
  const rate = (ms: number) => ('flops' in work ? `${(work.flops / ms / 1e9).toPrecision(3).padStart(8)} TFLOP/s` : `${(work.bytes / ms / 1e6).toPrecision(3).padStart(8)} GB/s   `)
  // tfjs kernels per call: each of ours counts once though it runs several passes (batch norm: 4 each way).
  const kernels = async () => (countKernels ? ` ${String(await kernelCount(fn)).padStart(3)} tfjs kernels` : '')
  const fmt = (ms: number) => `${ms.toFixed(3).padStart(9)} ms ${rate(ms)}`
  let stock = ''
  let ratio = ''
  if (!oursOnly) {
    restoreStockWebGpuKernels()
    const stockMs = await time(fn, minMs)
    stock = fmt(stockMs) + (await kernels())
    registerWebGpuKernels()
    const oursMs = await time(fn, minMs)
    ratio = `${(stockMs / oursMs).toFixed(1).padStart(6)}x`
    console.log(`${label.padEnd(40)} ours ${fmt(oursMs)}${await kernels()}   stock ${stock} ${ratio}`)
  } else {
    console.log(`${label.padEnd(40)} ours ${fmt(await time(fn, minMs))}${await kernels()}`)
  }
}

async function main(): Promise<void> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp'
  const { create, globals } = await import('webgpu')
  Object.assign(globalThis, globals)
  ;(globalThis as { navigator?: unknown }).navigator = { gpu: create([]) }
  await import('@tensorflow/tfjs-backend-webgpu')
  if (!(await tf.setBackend('webgpu'))) {
    console.log('no WebGPU adapter: nothing to profile')
    return
  }
  await import('@tensorflow/tfjs-layers') // registers the gradients
  registerWebGpuKernels()
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo
  console.log(`webgpu adapter: ${info?.vendor ?? '?'} ${info?.architecture ?? ''}`)
  for (const { b, h, ci, co, k, stride } of convs) {
    const x = tf.randomNormal([b, h, h, ci]) as tf.Tensor4D
    const f = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D
    const oh = Math.ceil(h / stride)
    const dy = tf.randomNormal([b, oh, oh, co]) as tf.Tensor4D
    const bias = tf.zeros([co]) as tf.Tensor1D
    const flops = 2 * b * oh * oh * ci * co * k * k
    const tag = `b${b} ${h}x${h} ${ci}->${co} k${k}${stride > 1 ? ` s${stride}` : ''}`
    await row(`conv fwd ${tag}`, { flops }, () => tf.conv2d(x, f, stride, 'same'))
    await row(`conv fused+relu ${tag}`, { flops }, () => tf.fused.conv2d({ x, filter: f, strides: stride, pad: 'same', bias, activation: 'relu' }))
    await row(`conv dInput ${tag}`, { flops }, () => tf.conv2dTranspose(dy, f, [b, h, h, ci], stride, 'same'))
    const gradF = tf.grad((ff: tf.Tensor) => tf.conv2d(x, ff as tf.Tensor4D, stride, 'same'))
    await row(`conv dFilter ${tag}`, { flops }, () => gradF(f, dy))
    tf.dispose([x, f, dy, bias])
  }
  for (const [m, kk, n] of matmuls) {
    const a = tf.randomNormal([m, kk])
    const w = tf.randomNormal([kk, n])
    await row(`matmul ${m}x${kk}x${n}`, { flops: 2 * m * kk * n }, () => tf.matMul(a, w))
    const aT = tf.transpose(a)
    await row(`matmul ${m}x${kk}x${n} (A^T)`, { flops: 2 * m * kk * n }, () => tf.matMul(aT, w, true, false))
    tf.dispose([a, aT, w])
  }
  for (const { b, h, c, k, stride, pad } of pools) {
    const x = tf.randomNormal([b, h, h, c]) as tf.Tensor4D
    const outShape = tf.tidy(() => tf.maxPool(x, k, stride, pad).shape)
    const dy = tf.randomNormal(outShape)
    const tag = `b${b} ${h}x${h}x${c} ${k}x${k}/${stride} ${pad}`
    const xBytes = 4 * x.size
    const dyBytes = 4 * dy.size
    const maxGrad = tf.grad((xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, k, stride, pad))
    const avgGrad = tf.grad((xx: tf.Tensor) => tf.avgPool(xx as tf.Tensor4D, k, stride, pad))
    // The max-pool gradient reads x and dy and writes dx (the forward inside tf.grad is the same on both sides).
    await row(`maxPool grad ${tag}`, { bytes: 2 * xBytes + dyBytes }, () => maxGrad(x, dy))
    await row(`avgPool grad ${tag}`, { bytes: xBytes + dyBytes }, () => avgGrad(x, dy))
    tf.dispose([x, dy])
  }
  for (const [b, h, c] of norms) {
    const shape = [b, h, h, c]
    const layer = batchNormalization({ name: `profile_bn_${b}_${h}_${c}`, axis: -1, momentum: 0.99, epsilon: 1e-3 })
    layer.build(shape)
    const x = tf.variable(tf.randomNormal(shape), true, `profile_bn_x_${b}_${h}_${c}`)
    const dy = tf.randomNormal(shape)
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable)
    const bytes = 4 * x.size
    const tag = `b${b} ${h}x${h}x${c}`
    // Forward reads x twice (statistics, normalize) and writes y; backward reads dy and x twice and writes dx.
    await row(`batchNorm train fwd ${tag}`, { bytes: 3 * bytes }, () => layer.apply(x, { training: true }) as tf.Tensor, true)
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar, [x, gamma, beta])
        return grads[x.name]
      })
    await row(`batchNorm train fwd+bwd ${tag}`, { bytes: 3 * bytes + 5 * bytes }, step, true)
    tf.dispose([x, dy])
  }
}

main().catch((error: Error) => {
  console.error('FAILED', error.stack ?? error)
  process.exit(1)
})
