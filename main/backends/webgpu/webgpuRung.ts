import * as tf from '@tensorflow/tfjs-core'
import type { WebGpuAdapterReport, WebGpuReport } from '../../../shared/api/schemas'
import { adapterTitle, describeAdapter, keyFeatures } from './adapterInfo'
import { faultPlan, watchDevice } from './deviceHealth'
import type { GpuAdapterLike, GpuDeviceLike, GpuLike } from './gpuTypes'
import { registerWebGpuKernels } from './kernels'
import { environment } from '../../config/environment'

/** Features our kernels may use, requested whenever the adapter offers them. */
const WANTED_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix']
/** The limits tfjs-webgpu raises from the defaults to the adapter's (big buffers, big workgroups). */
const RAISED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
]

interface Loaded {
  adapter: WebGpuAdapterReport
  device: GpuDeviceLike
  kernels: string[]
  lost: boolean
}

let gpu: GpuLike | undefined
let loaded: Loaded | undefined
/** What the last attempt found, kept for the ladder's report whether or not the rung was taken. */
let lastAdapter: WebGpuAdapterReport | undefined
let lastKernels: string[] | undefined

/**
 * Dawn's Node addon provides navigator.gpu; tfjs-backend-webgpu registers itself only if navigator.gpu
 * exists when it is imported, so this runs first. A variable specifier keeps bundlers from inlining the addon.
 */
async function dawn(): Promise<GpuLike> {
  if (gpu) return gpu
  const packageName = 'webgpu'
  let module: { create(flags: string[]): GpuLike; globals: object }
  try {
    module = await import(/* @vite-ignore */ packageName)
  } catch (error) {
    throw new Error(`the webgpu package (Dawn) failed to load: ${(error as Error).message.split('\n')[0]}`)
  }
  Object.assign(globalThis, module.globals)
  // WORKBENCH_DAWN_FLAGS: Dawn options, space-separated (e.g. enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia).
  gpu = module.create((environment('WORKBENCH_DAWN_FLAGS') ?? '').split(/\s+/).filter(Boolean))
  const holder = globalThis as unknown as { navigator?: { gpu?: GpuLike } }
  if (!holder.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
  else if (!holder.navigator.gpu) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true })
  return gpu
}

async function createDevice(adapter: GpuAdapterLike): Promise<GpuDeviceLike> {
  const requiredLimits: Record<string, number> = {}
  for (const name of RAISED_LIMITS) if (typeof adapter.limits[name] === 'number') requiredLimits[name] = adapter.limits[name]
  const requiredFeatures = WANTED_FEATURES.filter((feature) => adapter.features.has(feature))
  return adapter.requestDevice({ requiredFeatures, requiredLimits })
}

/** The self-test hook: the forward tanh computes a sigmoid instead, wrong by up to 0.5. */
function breakAKernel(): void {
  const sigmoid = tf.getKernel('Sigmoid', 'webgpu')
  if (!sigmoid) throw new Error('tfjs-webgpu has no Sigmoid kernel to break the self-test with')
  tf.unregisterKernel('Tanh', 'webgpu')
  tf.registerKernel({ kernelName: 'Tanh', backendName: 'webgpu', kernelFunc: sigmoid.kernelFunc })
}

export interface WebGpuRungOptions {
  /** Forced by the user (`--backend webgpu`): a software adapter is used too. */
  forced: boolean
}

/**
 * Loads the webgpu rung: Dawn, a high-performance adapter, a device we watch for loss and errors,
 * tfjs-webgpu on that device, and our WGSL kernels over tfjs's. `auto` passes software adapters over.
 */
export async function loadWebGpuRung({ forced }: WebGpuRungOptions): Promise<{ tfName: string; detail: string }> {
  lastAdapter = undefined
  lastKernels = undefined
  const adapter = await (await dawn()).requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) {
    throw new Error('no WebGPU adapter found: no GPU with a Vulkan, D3D12 or Metal driver that Dawn accepts (on Linux, install the GPU vendor\'s Vulkan driver)')
  }
  const report = describeAdapter(adapter)
  lastAdapter = report
  // WORKBENCH_WEBGPU_ALLOW_SOFTWARE=1 lets auto take one too: how CI reaches the self-test on lavapipe.
  if (report.software && !forced && environment('WORKBENCH_WEBGPU_ALLOW_SOFTWARE') !== '1') {
    throw new Error(
      `only a software adapter was found (${adapterTitle(report)}): it runs WebGPU on the CPU, slower than the CPU rungs; choose the webgpu backend to use it anyway (--backend webgpu)`,
    )
  }
  if (!loaded || loaded.adapter.description !== report.description || loaded.lost) {
    const device = await createDevice(adapter)
    watchDevice(device)
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu')
    // tfjs-webgpu registered its own factory on import (a device of its own): ours replaces it.
    if ('webgpu' in tf.engine().registryFactory) tf.removeBackend('webgpu')
    tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, adapter.info as never), 3)
    if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend did not initialize on this device')
    const kernels = registerWebGpuKernels()
    if (faultPlan()?.kind === 'selftest') breakAKernel()
    const current: Loaded = { adapter: report, device, kernels, lost: false }
    void device.lost.then(() => (current.lost = true))
    loaded = current
  }
  lastKernels = loaded.kernels
  const kernelNote = loaded.kernels.length ? `our WGSL kernels for ${loaded.kernels.join(', ')}` : "tfjs-webgpu's own kernels"
  return { tfName: 'webgpu', detail: `${adapterTitle(report)}${report.software ? ', a software adapter' : ''}; ${kernelNote}; ${keyFeatures(report)}` }
}

/** Whether the rung's device runs f16 shaders (mixed precision): its adapter offered shader-f16, which createDevice requests. */
export function webgpuOffersF16(): boolean {
  return !!loaded && !loaded.lost && loaded.device.features.has('shader-f16')
}

/** What the rung found on its last attempt, with the ladder's verdict on it. */
export function webgpuReport(verdict: (software: boolean) => string): WebGpuReport {
  return { ...(lastAdapter ? { adapter: lastAdapter } : {}), ...(lastKernels ? { kernels: lastKernels } : {}), verdict: verdict(lastAdapter?.software ?? false) }
}
