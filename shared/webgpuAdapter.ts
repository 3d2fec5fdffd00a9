import type { WebGpuAdapterReport } from './api/schemas'

/** The adapter's features that matter to our kernels, in words: what doctor and the System view show. */
export function webgpuKeyFeatures(adapter: WebGpuAdapterReport): { name: string; value: string }[] {
  const has = (feature: string) => adapter.features.includes(feature)
  const matrices = adapter.subgroupMatrixConfigs.map((c) => `${c.componentType}→${c.resultComponentType} ${c.M}×${c.N}×${c.K}`)
  const sizes = adapter.subgroupMinSize !== undefined ? ` (size ${adapter.subgroupMinSize}–${adapter.subgroupMaxSize ?? '?'})` : ''
  return [
    { name: 'subgroups', value: has('subgroups') ? `yes${sizes}` : 'no' },
    { name: 'shader-f16', value: has('shader-f16') ? 'yes' : 'no' },
    {
      name: 'subgroup matrix',
      value: matrices.length ? matrices.join(', ') : has('chromium-experimental-subgroup-matrix') ? 'feature present, no configurations' : 'no',
    },
  ]
}

/** One line naming the adapter: its description (or device), vendor and architecture, and the native API. */
export function webgpuAdapterTitle(adapter: WebGpuAdapterReport): string {
  const name = adapter.description || adapter.device || 'unnamed adapter'
  const vendor = [adapter.vendor, adapter.architecture].filter(Boolean).join(', ') || 'unknown vendor'
  return `${name} (${vendor}; ${adapter.backendApi})`
}
