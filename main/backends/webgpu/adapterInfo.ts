import type { WebGpuAdapterReport } from '../../../shared/api/schemas'
import type { GpuAdapterLike } from './gpuTypes'
import { webgpuAdapterTitle, webgpuKeyFeatures } from '../../../shared/webgpuAdapter'

/** The limits our kernels size their tiles and buffers by. */
export const KEY_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
] as const

/** Dawn in Node does not say which native API it drives; it is the platform's one. */
export function nativeApiOf(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'D3D12'
  if (platform === 'darwin') return 'Metal'
  return 'Vulkan'
}

const SOFTWARE_PATTERN = /llvmpipe|lavapipe|swiftshader|software|softpipe|warp/i

/**
 * A CPU rasterizer computes right but slowly: lavapipe reports architecture "software" and a description
 * starting "llvmpipe"; SwiftShader names itself; Dawn flags its own fallback adapters.
 */
export function isSoftwareAdapter(info: Pick<WebGpuAdapterReport, 'architecture' | 'description' | 'device' | 'vendor'>, fallback = false): boolean {
  return fallback || SOFTWARE_PATTERN.test(`${info.architecture} ${info.description} ${info.device} ${info.vendor}`)
}

export function describeAdapter(adapter: GpuAdapterLike, platform: NodeJS.Platform = process.platform): WebGpuAdapterReport {
  const info = adapter.info ?? {}
  const base = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  }
  const limits: Record<string, number> = {}
  for (const name of KEY_LIMITS) {
    const value = adapter.limits[name]
    if (typeof value === 'number') limits[name] = value
  }
  return {
    ...base,
    backendApi: nativeApiOf(platform),
    software: isSoftwareAdapter(base, info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
    features: [...adapter.features].sort(),
    limits,
    subgroupMinSize: info.subgroupMinSize,
    subgroupMaxSize: info.subgroupMaxSize,
    subgroupMatrixConfigs: (info.subgroupMatrixConfigs ?? []).map((c) => ({
      componentType: String(c.componentType),
      resultComponentType: String(c.resultComponentType),
      M: c.M,
      N: c.N,
      K: c.K,
    })),
  }
}

/** One line for logs and the rung's detail: what the adapter is. */
export const adapterTitle = webgpuAdapterTitle

/** The features that matter to our kernels, as "subgroups yes; shader-f16 no; subgroup matrix no". */
export function keyFeatures(adapter: WebGpuAdapterReport): string {
  return webgpuKeyFeatures(adapter)
    .map((f) => `${f.name} ${f.value}`)
    .join('; ')
}
