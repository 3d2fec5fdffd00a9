/**
 * The few WebGPU shapes this rung touches, declared here rather than pulling @webgpu/types' DOM-flavoured
 * globals into the Node build.
 */
export interface GpuAdapterInfoLike {
  vendor?: string
  architecture?: string
  device?: string
  description?: string
  subgroupMinSize?: number
  subgroupMaxSize?: number
  isFallbackAdapter?: boolean
  subgroupMatrixConfigs?: { componentType: string; resultComponentType: string; M: number; N: number; K: number }[]
}

export interface GpuErrorLike {
  message: string
  constructor: { name: string }
}

export interface GpuDeviceLike {
  readonly lost: Promise<{ reason: string; message: string }>
  readonly features: ReadonlySet<string>
  onuncapturederror: ((event: { error: GpuErrorLike }) => void) | null
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void
  popErrorScope(): Promise<GpuErrorLike | null>
  destroy(): void
}

export interface GpuAdapterLike {
  readonly info: GpuAdapterInfoLike
  readonly features: ReadonlySet<string>
  readonly limits: Record<string, number>
  readonly isFallbackAdapter?: boolean
  requestDevice(descriptor: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GpuDeviceLike>
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>
}
