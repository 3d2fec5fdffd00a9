/**
 * How pixels become what a model reads, in one place: stored bytes (0-255) scaled to [0, 1], then the
 * per-channel standardisation the run trained with, if any. Training (main/data/pipeline/imagePipeline.ts), the GPU
 * gather (its WGSL takes BYTE_SCALE and the same mean/std), Predict and Inspect all go through it: a
 * change made in one of them alone would silently feed a trained model other numbers than it learned on.
 */

/** Bytes to [0, 1]. */
export const BYTE_SCALE = 1 / 255

/** Per-channel mean/std, one number per channel or one for all (repeated). */
export interface PixelStandardisation {
  mean: readonly number[]
  std: readonly number[]
}

/** What a run recorded about its data (RunDataSummary) to the standardisation it trained with, if any. */
export function standardisationOf(data?: { normalized?: boolean; mean?: readonly number[]; std?: readonly number[] }): PixelStandardisation | undefined {
  return data?.normalized && data.mean && data.std ? { mean: data.mean, std: data.std } : undefined
}

/** One channel's value in [0, 1] as the model reads it. */
export function standardise(value: number, channel: number, stats?: PixelStandardisation): number {
  if (!stats) return value
  const mean = stats.mean[Math.min(channel, stats.mean.length - 1)]!
  const std = stats.std[Math.min(channel, stats.std.length - 1)]!
  return (value - mean) / std
}

/** HWC values in [0, 1] into `out` (at `offset`), standardised per channel when `stats` is given. */
export function standardiseInto(values: ArrayLike<number>, channels: number, stats: PixelStandardisation | undefined, out: Float32Array, offset = 0): void {
  if (!stats) {
    for (let i = 0; i < values.length; i++) out[offset + i] = values[i]!
    return
  }
  const mean = Array.from({ length: channels }, (_, c) => stats.mean[Math.min(c, stats.mean.length - 1)]!)
  const std = Array.from({ length: channels }, (_, c) => stats.std[Math.min(c, stats.std.length - 1)]!)
  for (let i = 0; i < values.length; i++) {
    const c = i % channels
    out[offset + i] = (values[i]! - mean[c]!) / std[c]!
  }
}

/** HWC bytes (0-255, as the preview shows them) to the model's input for one image. */
export function toModelPixels(bytes: ArrayLike<number>, channels: number, stats?: PixelStandardisation): Float32Array {
  const out = new Float32Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! * BYTE_SCALE
  standardiseInto(out, channels, stats, out)
  return out
}
