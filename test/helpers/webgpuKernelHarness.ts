/**
 * What the WGSL kernel tests share: a WebGPU backend on whatever adapter Dawn offers (in CI: Mesa's lavapipe,
 * a software adapter that runs every kernel exactly), seeded inputs, and the comparison with the cpu backend.
 */
import { expect } from 'vitest'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { createRandom } from '../../main/data/pipeline/seededRandom'
import type { GemmTiling } from '../../main/backends/webgpu/kernels/gemmProgram'

/** A convolution the kernel suites run: NHWC input, HWIO filter; `force` pins a GEMM tiling. */
export interface ConvCase {
  label: string
  x: [number, number, number, number]
  filter: [number, number, number, number]
  stride: number
  pad: 'same' | 'valid'
  dilation?: number
  force?: Partial<GemmTiling>
}

/** Gradients and outputs must agree with cpu within this, relative to the result's scale. */
export const TOL = 1e-4

/** What Dawn needs in a test process: a private XDG_RUNTIME_DIR, and lavapipe on one thread. */
export function prepareDawnEnvironment(): void {
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `xdg-webgpu-test-${process.pid}`)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    process.env.XDG_RUNTIME_DIR = dir
  }
  // lavapipe's worker threads wait for each other at every barrier; on a shared, loaded CPU that turns
  // milliseconds into minutes. One thread runs these small shapes fastest (the variable is llvmpipe's).
  process.env.LP_NUM_THREADS ??= '0'
}

/** Sets tfjs up on a WebGPU adapter; the reason it could not, or null. */
export async function openWebGpu(): Promise<string | null> {
  prepareDawnEnvironment()
  try {
    const { create, globals } = await import('webgpu')
    Object.assign(globalThis, globals)
    ;(globalThis as { navigator?: unknown }).navigator = { gpu: create([]) }
    const adapter = await (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu.requestAdapter()
    if (!adapter) return 'Dawn offers no WebGPU adapter on this machine (no GPU driver or Vulkan ICD such as Mesa 25 lavapipe)'
    await import('@tensorflow/tfjs-backend-webgpu')
    if (!(await tf.setBackend('webgpu'))) return 'tfjs could not initialise its webgpu backend on the adapter'
    return null
  } catch (error) {
    return `WebGPU unavailable: ${(error as Error).message}`
  }
}

/** openWebGpu, then: without an adapter, a printed skip reason, or a failure under WORKBENCH_REQUIRE_WEBGPU=1 (CI). */
export async function openWebGpuForTests(suite: string): Promise<string | null> {
  const unavailable = await openWebGpu()
  if (unavailable) {
    if (process.env.WORKBENCH_REQUIRE_WEBGPU === '1') throw new Error(`WORKBENCH_REQUIRE_WEBGPU=1 but ${unavailable}`)
    console.warn(`${suite}: skipped, ${unavailable}`)
  }
  return unavailable
}

/** Deterministic PRNG so a failure can be reproduced: the data pipeline's own. */
export const rng = createRandom

export const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1)

/** Uniform values in [-1, 1) from one seeded stream. */
export function randArrays(seed: number): (shape: number[]) => Float32Array {
  const rand = rng(seed)
  return (shape) => {
    const a = new Float32Array(size(shape))
    for (let i = 0; i < a.length; i++) a[i] = rand() * 2 - 1
    return a
  }
}

/** max |a-b| over max |b|: relative to the result's scale, so a dropped term shows at any magnitude. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let diff = 0
  let scale = 1e-6
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i])
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d)
    scale = Math.max(scale, Math.abs(b[i]))
  }
  return diff / scale
}

export async function on(backend: 'cpu' | 'webgpu', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const outs = tf.tidy(fn)
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>))
  outs.forEach((t) => t.dispose())
  return data
}

/** Largest relative difference, webgpu vs cpu, over every output of fn (each output on its own scale). */
export async function diffVsCpu(fn: () => tf.Tensor[]): Promise<number> {
  const cpu = await on('cpu', fn)
  const gpu = await on('webgpu', fn)
  return Math.max(...gpu.map((g, i) => relDiff(g, cpu[i])))
}
