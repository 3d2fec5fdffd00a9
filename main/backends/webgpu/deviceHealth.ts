import * as tf from '@tensorflow/tfjs-core'
import type { GpuDeviceLike, GpuErrorLike } from './gpuTypes'
import { environment } from '../../config/environment'

/** A WebGPU failure that ends a run: the device is gone or out of memory. The checkpoint stays as it was. */
export class WebGpuFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'device-lost' | 'out-of-memory' | 'gpu-error',
  ) {
    super(message)
    this.name = 'WebGpuFailure'
  }
}

export function deviceLostFailure(reason: string, detail: string): WebGpuFailure {
  return new WebGpuFailure(
    `the GPU was lost mid-run (WebGPU device lost: ${reason}${detail ? `, ${detail}` : ''}); the run stopped and its last checkpoint is intact: ` +
      'resume it, on another backend (wasm-blas, wasm; the CLI: resume <run> --backend wasm) if the GPU does not come back',
    'device-lost',
  )
}

export function failureFromGpuError(error: GpuErrorLike): WebGpuFailure {
  if (error.constructor.name === 'GPUOutOfMemoryError') {
    return new WebGpuFailure(
      `the GPU ran out of memory (${error.message}); the run stopped and its last checkpoint is intact: ` +
        'lower the batch size or the input size, or resume it on another backend (wasm-blas, wasm)',
      'out-of-memory',
    )
  }
  return new WebGpuFailure(`the GPU reported an error (${error.constructor.name}: ${error.message}); the run stopped and its last checkpoint is intact`, 'gpu-error')
}

/**
 * Test hook, read once: WORKBENCH_WEBGPU_FAULT=lose-after:N destroys the device after N training batches
 * (a real device loss, as a driver reset gives), oom-after:N reports an out-of-memory error there, and
 * selftest breaks a kernel so that the rung fails its self-test.
 */
export interface FaultPlan {
  kind: 'lose' | 'oom' | 'selftest'
  afterBatches: number
}

export function parseFaultPlan(value: string | undefined): FaultPlan | undefined {
  if (!value) return undefined
  if (value === 'selftest') return { kind: 'selftest', afterBatches: 0 }
  const match = /^(lose|oom)-after:(\d+)$/.exec(value)
  if (!match) throw new Error(`WORKBENCH_WEBGPU_FAULT must be lose-after:N, oom-after:N or selftest, got "${value}"`)
  return { kind: match[1] as 'lose' | 'oom', afterBatches: Number(match[2]) }
}

export const faultPlan = (): FaultPlan | undefined => parseFaultPlan(environment('WORKBENCH_WEBGPU_FAULT'))

let watched: GpuDeviceLike | undefined
let failure: WebGpuFailure | undefined
let lostSignal: Promise<never> | undefined
let batches = 0

/** Follows a device for the rest of the process: its loss and its uncaptured errors end the current run. */
export function watchDevice(device: GpuDeviceLike): void {
  watched = device
  failure = undefined
  batches = 0
  lostSignal = device.lost.then((info) => {
    // A lost device makes later calls fail validation first; the loss is the cause to report.
    if (watched === device && (!failure || failure.kind === 'gpu-error')) failure = deviceLostFailure(info.reason, info.message)
    throw failure ?? deviceLostFailure(info.reason, info.message)
  })
  // Nobody may await it; keep Node from reporting an unhandled rejection.
  lostSignal.catch(() => {})
  device.onuncapturederror = (event) => {
    if (watched === device) failure ??= failureFromGpuError(event.error)
  }
}

/** Only while webgpu is the backend in use: a rung that failed its self-test leaves its device behind. */
const active = () => watched !== undefined && tf.getBackend() === 'webgpu'

/** The failure that ended the WebGPU device, if any (undefined on other rungs). */
export function webgpuFailure(): WebGpuFailure | undefined {
  return active() ? failure : undefined
}

/**
 * Awaits a GPU read, but gives up with the device's failure if it is lost meanwhile (a read on a lost
 * device may never settle), and names that failure rather than whatever error the read hit.
 */
export async function guardGpuRead<T>(read: Promise<T>): Promise<T> {
  if (!active() || !lostSignal) return read
  try {
    return await Promise.race([read, lostSignal])
  } catch (error) {
    throw failure ?? error
  }
}

/** Called by the trainer after every batch: applies the test hook's fault, then throws any failure. */
export function afterTrainingBatch(): void {
  if (!active() || !watched) return
  batches++
  const plan = faultPlan()
  if (plan && plan.kind !== 'selftest' && batches === plan.afterBatches) {
    if (plan.kind === 'lose') {
      // A real loss: the failure is noticed through device.lost and the reads it breaks, as after a driver reset.
      watched.destroy()
    } else {
      failure ??= failureFromGpuError({ message: 'simulated by WORKBENCH_WEBGPU_FAULT', constructor: { name: 'GPUOutOfMemoryError' } })
    }
  }
  if (failure) throw failure
}
