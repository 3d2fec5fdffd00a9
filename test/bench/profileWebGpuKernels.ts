/**
 * Our WGSL kernels beside tfjs-webgpu's own, kernel by kernel: ms per call and TFLOP/s for the ResNet-18 3x3
 * shapes at batch 64, AlexNet's conv2 and LeNet's convolutions (forward, input gradient, filter gradient),
 * and matmuls. Same shapes as ../shared/gpu/tfjs-kernel-probe.cjs, so the stock column compares with it.
 *   npx tsx test/bench/profileWebGpuKernels.ts [--quick] [--ours-only]
 * On a GPU box without Node tooling, bundle it first (from the repo root):
 *   npx esbuild test/bench/profileWebGpuKernels.ts --bundle --platform=node --format=cjs --external:webgpu \
 *     --outfile=.gpu/profile-webgpu-kernels.cjs
 *   source .gpu/device-setup.sh; node .gpu/profile-webgpu-kernels.cjs
 * On a software adapter (lavapipe) the numbers say nothing about speed; `--quick` runs small shapes to show it works.
 */
import * as tf from '@tensorflow/tfjs-core'
import { registerWebGpuKernels, restoreStockWebGpuKernels } from '../../main/engine/webgpu/kernels'

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

async function row(label: string, flops: number, fn: () => tf.Tensor): Promise<void> {
  const minMs = quick ? 50 : 400
  const fmt = (ms: number) => `${ms.toFixed(3).padStart(9)} ms ${(flops / ms / 1e9).toPrecision(3).padStart(8)} TFLOP/s`
  let stock = ''
  let ratio = ''
  if (!oursOnly) {
    restoreStockWebGpuKernels()
    const stockMs = await time(fn, minMs)
    stock = fmt(stockMs)
    registerWebGpuKernels()
    const oursMs = await time(fn, minMs)
    ratio = `${(stockMs / oursMs).toFixed(1).padStart(6)}x`
    console.log(`${label.padEnd(40)} ours ${fmt(oursMs)}   stock ${stock} ${ratio}`)
  } else {
    console.log(`${label.padEnd(40)} ours ${fmt(await time(fn, minMs))}`)
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
    await row(`conv fwd ${tag}`, flops, () => tf.conv2d(x, f, stride, 'same'))
    await row(`conv fused+relu ${tag}`, flops, () => tf.fused.conv2d({ x, filter: f, strides: stride, pad: 'same', bias, activation: 'relu' }))
    await row(`conv dInput ${tag}`, flops, () => tf.conv2dTranspose(dy, f, [b, h, h, ci], stride, 'same'))
    const gradF = tf.grad((ff: tf.Tensor) => tf.conv2d(x, ff as tf.Tensor4D, stride, 'same'))
    await row(`conv dFilter ${tag}`, flops, () => gradF(f, dy))
    tf.dispose([x, f, dy, bias])
  }
  for (const [m, kk, n] of matmuls) {
    const a = tf.randomNormal([m, kk])
    const w = tf.randomNormal([kk, n])
    await row(`matmul ${m}x${kk}x${n}`, 2 * m * kk * n, () => tf.matMul(a, w))
    const aT = tf.transpose(a)
    await row(`matmul ${m}x${kk}x${n} (A^T)`, 2 * m * kk * n, () => tf.matMul(aT, w, true, false))
    tf.dispose([a, aT, w])
  }
}

main().catch((error: Error) => {
  console.error('FAILED', error.stack ?? error)
  process.exit(1)
})
