import { afterAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import {
  afterTrainingBatch,
  guardGpuRead,
  parseFaultPlan,
  watchDevice,
  webgpuFailure,
  WebGpuFailure,
} from '../../../../main/backends/webgpu/deviceHealth'
import { describeAdapter, isSoftwareAdapter } from '../../../../main/backends/webgpu/adapterInfo'
import type { GpuAdapterLike, GpuDeviceLike } from '../../../../main/backends/webgpu/gpuTypes'

/** A device whose loss and errors the test triggers; tfjs's cpu kernels stand in under the name webgpu. */
function fakeDevice() {
  let lose!: (info: { reason: string; message: string }) => void
  const device: GpuDeviceLike & { destroyed: boolean } = {
    lost: new Promise((resolve) => (lose = resolve)),
    features: new Set(),
    onuncapturederror: null,
    pushErrorScope: () => undefined,
    popErrorScope: async () => null,
    destroyed: false,
    destroy() {
      this.destroyed = true
      lose({ reason: 'destroyed', message: 'Device was destroyed.' })
    },
  }
  return { device, lose }
}

/** Named as WebGPU names it: the failure is told by the error's class name. */
class GPUOutOfMemoryError {
  constructor(readonly message: string) {}
}

describe('webgpu device health', () => {
  const previous = tf.getBackend()
  afterAll(async () => {
    await tf.setBackend(previous ?? 'cpu')
    delete process.env.WORKBENCH_WEBGPU_FAULT
  })

  it('is inert while another backend runs, even with a device watched', async () => {
    const { device } = fakeDevice()
    watchDevice(device)
    await tf.setBackend('cpu')
    process.env.WORKBENCH_WEBGPU_FAULT = 'lose-after:1'
    expect(() => afterTrainingBatch()).not.toThrow()
    expect(device.destroyed).toBe(false)
    expect(webgpuFailure()).toBeUndefined()
    delete process.env.WORKBENCH_WEBGPU_FAULT
  })

  it('a lost device ends a read that would never settle, with the loss as the reason', async () => {
    if (!tf.findBackend('webgpu')) tf.registerBackend('webgpu', () => new MathBackendCPU())
    await tf.setBackend('webgpu')
    const { device, lose } = fakeDevice()
    watchDevice(device)
    const never = new Promise<number>(() => undefined)
    const read = guardGpuRead(never)
    lose({ reason: 'unknown', message: 'the driver reset' })
    await expect(read).rejects.toThrow(/^the GPU was lost mid-run \(WebGPU device lost: unknown, the driver reset\); the run stopped and its last checkpoint is intact/)
    expect(() => afterTrainingBatch()).toThrow(WebGpuFailure)
  })

  it('an uncaptured out-of-memory error stops the next batch with advice', async () => {
    await tf.setBackend('webgpu')
    const { device } = fakeDevice()
    watchDevice(device)
    expect(() => afterTrainingBatch()).not.toThrow()
    device.onuncapturederror?.({ error: new GPUOutOfMemoryError('Allocation failed') })
    const thrown = (() => {
      try {
        afterTrainingBatch()
      } catch (error) {
        return error as WebGpuFailure
      }
    })()
    expect(thrown?.kind).toBe('out-of-memory')
    expect(thrown?.message).toMatch(/^the GPU ran out of memory \(Allocation failed\).*lower the batch size or the input size, or resume it on another backend/)
  })

  it('a loss that follows the validation errors it caused is reported as the loss', async () => {
    await tf.setBackend('webgpu')
    const { device, lose } = fakeDevice()
    watchDevice(device)
    device.onuncapturederror?.({ error: { message: 'Device is lost', constructor: { name: 'GPUValidationError' } } })
    expect(webgpuFailure()?.kind).toBe('gpu-error')
    lose({ reason: 'unknown', message: 'reset' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(webgpuFailure()?.kind).toBe('device-lost')
  })

  it('the test hook destroys the device after the given batch', async () => {
    await tf.setBackend('webgpu')
    const { device } = fakeDevice()
    watchDevice(device)
    process.env.WORKBENCH_WEBGPU_FAULT = 'lose-after:2'
    afterTrainingBatch()
    expect(device.destroyed).toBe(false)
    afterTrainingBatch()
    expect(device.destroyed).toBe(true)
    await new Promise((resolve) => setImmediate(resolve))
    expect(webgpuFailure()?.kind).toBe('device-lost')
    expect(() => parseFaultPlan('lose-after:x')).toThrow(/WORKBENCH_WEBGPU_FAULT must be/)
    expect(parseFaultPlan('oom-after:3')).toEqual({ kind: 'oom', afterBatches: 3 })
  })
})

describe('webgpu adapter description', () => {
  const adapter = (info: Record<string, unknown>, features: string[] = []): GpuAdapterLike => ({
    info,
    features: new Set(features),
    limits: { maxComputeWorkgroupStorageSize: 49152, maxBufferSize: 2 ** 34, somethingElse: 1 },
    requestDevice: async () => fakeDevice().device,
  })

  it('tells software adapters from hardware ones', () => {
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25' })).toBe(true)
    expect(isSoftwareAdapter({ vendor: 'google', architecture: '', device: 'SwiftShader Device', description: '' })).toBe(true)
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' })).toBe(false)
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' }, true)).toBe(true)
  })

  it('keeps the key limits, the features sorted and the subgroup matrix shapes', () => {
    const report = describeAdapter(
      adapter(
        { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', subgroupMinSize: 32, subgroupMaxSize: 32, subgroupMatrixConfigs: [{ componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 }] },
        ['subgroups', 'shader-f16'],
      ),
      'linux',
    )
    expect(report).toMatchObject({ software: false, backendApi: 'Vulkan', features: ['shader-f16', 'subgroups'], subgroupMatrixConfigs: [{ componentType: 'f16', M: 16 }] })
    expect(report.limits).toEqual({ maxComputeWorkgroupStorageSize: 49152, maxBufferSize: 2 ** 34 })
    expect(describeAdapter(adapter({}), 'win32').backendApi).toBe('D3D12')
  })
})
