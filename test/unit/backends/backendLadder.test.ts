import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import { NoBackendError, selectBackend, type RungLoader } from '../../../main/backends/backendLadder'
import type { BackendName } from '../../../shared/api/schemas'

const missing = (what: string): RungLoader => async () => {
  throw new Error(`${what} is not installed`)
}

/** A backend that loads fine but computes convolutions wrongly: the self-test must catch it. */
function registerBrokenBackend(): string {
  const name = 'broken-conv'
  if (tf.findBackend(name)) return name
  tf.registerBackend(name, () => new MathBackendCPU())
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (kernel.kernelName === 'Conv2D') {
      tf.registerKernel({
        kernelName: 'Conv2D',
        backendName: name,
        kernelFunc: ({ inputs, backend, attrs }) => {
          const real = kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo
          const values = (backend as MathBackendCPU).readSync(real.dataId) as Float32Array
          for (let i = 0; i < values.length; i++) values[i] = values[i] * 1.5 + 0.1
          return real
        },
      })
    } else {
      tf.registerKernel({ ...kernel, backendName: name })
    }
  }
  return name
}

describe('backend ladder', () => {
  it('walks down past rungs that fail to load and records why', async () => {
    const loaders: Record<BackendName, RungLoader> = {
      'tensorflow-gpu': missing('@tensorflow/tfjs-node-gpu'),
      webgpu: async () => {
        throw new Error('no WebGPU adapter found')
      },
      tensorflow: async () => {
        throw new Error('libtensorflow.so.2: cannot open shared object file')
      },
      'wasm-blas': async () => {
        throw new Error('no optimized BLAS found')
      },
      wasm: missing('wasm'),
      cpu: async () => 'cpu',
    }
    const report = await selectBackend('auto', loaders)
    expect(report.name).toBe('cpu')
    expect(report.skipped).toEqual([
      { name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' },
      { name: 'webgpu', reason: 'no WebGPU adapter found' },
      { name: 'tensorflow', reason: 'libtensorflow.so.2: cannot open shared object file' },
      { name: 'wasm-blas', reason: 'no optimized BLAS found' },
      { name: 'wasm', reason: 'wasm is not installed' },
    ])
  })

  it('skips a backend that fails its numerical self-test, with the reason', async () => {
    const broken = registerBrokenBackend()
    const loaders: Record<BackendName, RungLoader> = {
      'tensorflow-gpu': missing('gpu'),
      webgpu: missing('webgpu'),
      tensorflow: missing('native'),
      'wasm-blas': missing('blas'),
      wasm: async () => broken,
      cpu: async () => 'cpu',
    }
    const report = await selectBackend('auto', loaders)
    expect(report.name).toBe('cpu')
    expect(report.skipped[4].name).toBe('wasm')
    expect(report.skipped[4].reason).toMatch(/failed its self-test against cpu/)
  })

  it('tries only the forced rung and fails clearly when it cannot load', async () => {
    const loaders = { 'tensorflow-gpu': missing('@tensorflow/tfjs-node-gpu'), webgpu: missing('webgpu'), tensorflow: missing('x'), 'wasm-blas': missing('z'), wasm: missing('y'), cpu: async () => 'cpu' }
    const error = await selectBackend('tensorflow-gpu', loaders).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NoBackendError)
    expect((error as Error).message).toMatch(/tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/)
    const forcedCpu = await selectBackend('cpu', loaders)
    expect(forcedCpu.skipped.map((s) => s.reason)).toEqual([
      'not tried: backend forced to cpu',
      'not tried: backend forced to cpu',
      'not tried: backend forced to cpu',
      'not tried: backend forced to cpu',
      'not tried: backend forced to cpu',
    ])
  })

  it('reports the real reason the native packages are missing here', async () => {
    const report = await selectBackend('auto')
    // On a machine without libtensorflow the native rungs must be explained, never silently skipped.
    for (const skip of report.skipped) expect(skip.reason.length).toBeGreaterThan(10)
    expect(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm-blas', 'wasm']).toContain(report.name)
    // The webgpu rung was tried: the report says what adapter it found, or that there was none, and why it was (not) taken.
    expect(report.webgpu?.verdict).toMatch(/^(chosen|not chosen): .{10}/)
    // The chosen rung says what it runs on where its name alone does not.
    if (report.name === 'wasm-blas') expect(report.detail).toMatch(/BLAS|Accelerate/)
  })
})
