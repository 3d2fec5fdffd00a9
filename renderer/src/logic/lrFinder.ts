import type { TrainConfigInput } from '../../../shared/api/schemas'
import { safeResolveRun } from '../../../shared/run/resolveRun'

/** Batches the Train view's range test tries, from 1e-5 to 10 (the API's default range). */
export const LR_FINDER_STEPS = 100

/** A learning rate in two significant digits, as a form field takes it: `0.0021`, `3.2e-7`. */
export function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(2)))
}

/** The log axis's labels: powers of ten only (`1e-5`, `0.001`, `0.1`, `1`, `10`), nothing between. */
export function rateTicks(value: number): string {
  if (!(value > 0)) return ''
  const exponent = Math.log10(value)
  if (Math.abs(exponent - Math.round(exponent)) > 1e-6) return ''
  const power = Math.round(exponent)
  return power >= -3 ? String(10 ** power) : `1e${power}`
}

/** What a range test ran on, in a few words: `lenet-relu · mnist · batch 64 · adam`. */
export function finderSettings(config: TrainConfigInput): string {
  const resolved = safeResolveRun(config)
  if (!resolved.success) return config.arch
  const { arch, dataset, batchSize, optimizer, limit } = resolved.data
  return [arch, dataset, `batch ${batchSize}`, optimizer, limit ? `${limit} images` : undefined].filter(Boolean).join(' · ')
}
