/** What the machine offers: backends, WebGPU adapters, the system doctor's findings and pool workers. */
import { z } from 'zod'
import { BackendName } from './vocabulary'

/** What a WebGPU adapter is and offers: shown by `doctor` and the System view. */
export const WebGpuAdapterReport = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** The native API Dawn drives (Vulkan, D3D12, Metal). */
  backendApi: z.string(),
  /** A CPU rasterizer (lavapipe/llvmpipe, SwiftShader): correct but far slower than the CPU rungs. */
  software: z.boolean(),
  features: z.array(z.string()),
  /** The limits our kernels size their tiles by (workgroup storage, invocations, buffer sizes). */
  limits: z.record(z.string(), z.number()),
  subgroupMinSize: z.number().optional(),
  subgroupMaxSize: z.number().optional(),
  /** Tensor-core shapes offered through subgroup matrices (Dawn's chromium-experimental-subgroup-matrix). */
  subgroupMatrixConfigs: z.array(z.object({ componentType: z.string(), resultComponentType: z.string(), M: z.number(), N: z.number(), K: z.number() })),
})
export type WebGpuAdapterReport = z.infer<typeof WebGpuAdapterReport>

export const WebGpuReport = z.object({
  /** Absent when no adapter was found. */
  adapter: WebGpuAdapterReport.optional(),
  /** Our WGSL kernels registered over tfjs-webgpu's. */
  kernels: z.array(z.string()).optional(),
  /** Why the rung was or was not chosen, in words. */
  verdict: z.string(),
})
export type WebGpuReport = z.infer<typeof WebGpuReport>

export const BackendReport = z.object({
  name: BackendName,
  /** Why each higher rung was not used (missing binary, failed self-test, forced by user, ...). */
  skipped: z.array(z.object({ name: BackendName, reason: z.string() })),
  selfTestMs: z.number().nonnegative().optional(),
  /** What the chosen rung runs on, where it says more than its name (e.g. the BLAS library and its threads). */
  detail: z.string().optional(),
  /** The WebGPU adapter, when the webgpu rung was tried (chosen or not). */
  webgpu: WebGpuReport.optional(),
})
export type BackendReport = z.infer<typeof BackendReport>

export const SystemInfo = z.object({
  mode: z.enum(['electron', 'web', 'cli']),
  version: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  totalMemoryBytes: z.number(),
})
export type SystemInfo = z.infer<typeof SystemInfo>

export const LibraryCheck = z.object({ name: z.string(), found: z.boolean(), path: z.string().optional() })

/** What the system doctor found: everything a user needs to see why training runs where it runs. */
export const SystemReport = z.object({
  os: z.string(),
  node: z.string(),
  cpu: z.object({ model: z.string(), cores: z.number().int() }),
  memory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  gpu: z.object({
    nvidiaDriver: z.string().optional(),
    devices: z.array(z.string()),
    note: z.string(),
  }),
  cudaLibraries: z.array(LibraryCheck),
  backend: BackendReport.optional(),
  backendError: z.string().optional(),
})
export type SystemReport = z.infer<typeof SystemReport>

/** A pool worker as it announces itself (heartbeat), and what it is training. */
export const PoolWorkerInfo = z.object({
  id: z.string().max(200),
  host: z.string().max(200),
  pid: z.number().int(),
  /** The backend its ladder chose (probed at start), and the CPU/adapter it runs on. */
  backend: z.string().max(100),
  cpu: z.string().max(200),
  cores: z.number().int().nonnegative(),
  freeMemoryBytes: z.number().nonnegative(),
  concurrency: z.number().int().min(1),
  threads: z.number().int().min(1).optional(),
  runs: z.array(z.string().max(64)),
  startedAt: z.string(),
  seenAt: z.string(),
})
export type PoolWorkerInfo = z.infer<typeof PoolWorkerInfo>
