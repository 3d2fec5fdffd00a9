import type { AugmentConfig, ChannelStats } from '../../../shared/api/schemas'
import { createRandom } from './seededRandom'
import { BYTE_SCALE, standardiseInto } from '../../../shared/modelPixels'

/**
 * The per-image part of the input pipeline, after decoding and resizing: channel conversion, seeded
 * augmentation, normalization. Images are HWC; stored pixels are bytes (0-255) or floats in [0, 1].
 */
export type StoredPixels = Uint8Array | Float32Array

export interface PixelStats extends ChannelStats {
  /** Images the statistics were computed on. */
  images: number
  /** Eigenvalues and eigenvectors (columns) of the RGB covariance, for AlexNet's PCA noise (3 channels only). */
  eigenvalues?: number[]
  eigenvectors?: number[][]
}

export interface PipelineOptions {
  /** Channels of the stored images and channels the model takes (1 = gray, 3 = RGB). */
  fromChannels: number
  toChannels: number
  height: number
  width: number
  augment?: AugmentConfig
  /** Per-channel (of `toChannels`) mean and std to subtract and divide by; absent: pixels stay in [0, 1]. */
  normalize?: ChannelStats
  /** Needed by `augment.pcaNoise`. */
  stats?: PixelStats
}

/** Mixes seed, epoch and image index into one 32-bit seed: an image's augmentation does not depend on batch order. */
export function sampleSeed(seed: number, epoch: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  for (const value of [epoch, index]) {
    h = Math.imul(h ^ value, 0x85ebca6b) >>> 0
    h = (h ^ (h >>> 13)) >>> 0
    h = Math.imul(h, 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h
}

export function isAugmenting(augment: AugmentConfig | undefined): boolean {
  return !!augment && (augment.cropPadding > 0 || augment.flip || augment.brightness > 0 || augment.contrast > 0 || augment.pcaNoise > 0)
}

export class ImagePipeline {
  readonly pixelsIn: number
  readonly pixelsOut: number
  private readonly scratch: Float32Array
  private readonly scratch2: Float32Array

  constructor(readonly options: PipelineOptions) {
    const { height, width, fromChannels, toChannels } = options
    if (![1, 3].includes(fromChannels) || ![1, 3].includes(toChannels)) throw new Error(`unsupported channels ${fromChannels} -> ${toChannels}`)
    this.pixelsIn = height * width * fromChannels
    this.pixelsOut = height * width * toChannels
    this.scratch = new Float32Array(this.pixelsOut)
    this.scratch2 = new Float32Array(this.pixelsOut)
    if (options.augment?.pcaNoise && !options.stats) throw new Error('PCA noise needs the training split statistics')
  }

  get outputShape(): [number, number, number] {
    return [this.options.height, this.options.width, this.options.toChannels]
  }

  /**
   * One image into `out` (at `offset`): converted, augmented when `random` is given (training), normalized.
   */
  process(input: StoredPixels, out: Float32Array, offset: number, random?: () => number): void {
    const image = this.scratch
    toFloatChannels(input, this.options.fromChannels, this.options.toChannels, image)
    const augment = this.options.augment
    let current = image
    if (random && augment && isAugmenting(augment)) current = this.augment(image, augment, random)
    standardiseInto(current, this.options.toChannels, this.options.normalize, out, offset)
  }

  /** Uses a seeded generator per (seed, epoch, index), so the same image gets the same change in a resumed run. */
  randomFor(seed: number, epoch: number, index: number): () => number {
    return createRandom(sampleSeed(seed, epoch, index))
  }

  private augment(image: Float32Array, augment: AugmentConfig, random: () => number): Float32Array {
    const { height: h, width: w, toChannels: c } = this.options
    let src = image
    let dst = this.scratch2
    if (augment.cropPadding > 0 || augment.flip) {
      const p = augment.cropPadding
      const dy = p > 0 ? Math.floor(random() * (2 * p + 1)) - p : 0
      const dx = p > 0 ? Math.floor(random() * (2 * p + 1)) - p : 0
      const flip = augment.flip && random() < 0.5
      for (let y = 0; y < h; y++) {
        const sy = y + dy
        for (let x = 0; x < w; x++) {
          const sx = (flip ? w - 1 - x : x) + dx
          const o = (y * w + x) * c
          if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
            for (let k = 0; k < c; k++) dst[o + k] = 0
          } else {
            const s = (sy * w + sx) * c
            for (let k = 0; k < c; k++) dst[o + k] = src[s + k]
          }
        }
      }
      ;[src, dst] = [dst, src]
    }
    if (augment.brightness > 0 || augment.contrast > 0) {
      const shift = augment.brightness > 0 ? (random() * 2 - 1) * augment.brightness : 0
      const factor = augment.contrast > 0 ? 1 + (random() * 2 - 1) * augment.contrast : 1
      let mean = 0
      if (factor !== 1) {
        for (let i = 0; i < src.length; i++) mean += src[i]
        mean /= src.length
      }
      for (let i = 0; i < src.length; i++) src[i] = clamp01((src[i] - mean) * factor + mean + shift)
    }
    if (augment.pcaNoise > 0 && this.options.stats) {
      const delta = pcaDelta(this.options.stats, c, augment.pcaNoise, random)
      for (let i = 0; i < src.length; i++) src[i] = clamp01(src[i] + delta[i % c])
    }
    return src
  }
}

/** AlexNet (Krizhevsky et al. 2012, 4.1): add sum_i alpha_i * lambda_i * p_i, alpha_i ~ N(0, sigma), to every pixel. */
function pcaDelta(stats: PixelStats, channels: number, sigma: number, random: () => number): number[] {
  if (channels === 1 || !stats.eigenvalues || !stats.eigenvectors) return [gaussian(random) * sigma * stats.std[0]]
  const alphas = stats.eigenvalues.map((lambda) => gaussian(random) * sigma * lambda)
  return [0, 1, 2].map((row) => stats.eigenvectors!.reduce((sum, _, col) => sum + stats.eigenvectors![row][col] * alphas[col], 0))
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value
}

/** Stored pixels to floats in [0, 1] with the model's channels: gray repeated to RGB, RGB to luma (ITU-R BT.601). */
export function toFloatChannels(input: StoredPixels, from: number, to: number, out: Float32Array): void {
  const scale = input instanceof Uint8Array ? BYTE_SCALE : 1
  if (from === to) {
    for (let i = 0; i < out.length; i++) out[i] = input[i] * scale
  } else if (from === 1 && to === 3) {
    for (let i = 0, j = 0; j < out.length; i++, j += 3) out[j] = out[j + 1] = out[j + 2] = input[i] * scale
  } else {
    for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (0.299 * input[j] + 0.587 * input[j + 1] + 0.114 * input[j + 2]) * scale
  }
}

/** Accumulates per-channel mean/std (and the RGB covariance) over images given as floats in [0, 1]. */
export class StatsAccumulator {
  private readonly sum: Float64Array
  private readonly cross: Float64Array
  private pixels = 0
  private images = 0

  constructor(private readonly channels: number) {
    this.sum = new Float64Array(channels)
    this.cross = new Float64Array(channels * channels)
  }

  add(image: Float32Array): void {
    const c = this.channels
    for (let i = 0; i < image.length; i += c) {
      for (let a = 0; a < c; a++) {
        const va = image[i + a]
        this.sum[a] += va
        for (let b = a; b < c; b++) this.cross[a * c + b] += va * image[i + b]
      }
    }
    this.pixels += image.length / c
    this.images++
  }

  result(): PixelStats {
    const c = this.channels
    const n = Math.max(1, this.pixels)
    const mean = Array.from(this.sum, (s) => s / n)
    const cov = Array.from({ length: c }, (_, a) => Array.from({ length: c }, (_, b) => this.cross[Math.min(a, b) * c + Math.max(a, b)] / n - mean[a] * mean[b]))
    // A constant channel (all black, say) would divide by zero: 1e-3 keeps normalization finite.
    const std = mean.map((_, a) => Math.max(Math.sqrt(Math.max(0, cov[a][a])), 1e-3))
    const stats: PixelStats = { mean, std, images: this.images }
    if (c === 3) {
      const { values, vectors } = symmetricEigen3(cov)
      stats.eigenvalues = values.map((v) => Math.sqrt(Math.max(0, v)))
      stats.eigenvectors = vectors
    }
    return stats
  }
}

/**
 * Eigen-decomposition of a symmetric 3x3 matrix by Jacobi rotations; vectors are the columns. The PCA noise
 * scales each eigenvector by sqrt(eigenvalue) (the component's standard deviation) as AlexNet's code does.
 */
export function symmetricEigen3(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const a = matrix.map((row) => [...row])
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2
    if (off < 1e-20) break
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      if (Math.abs(a[p][q]) < 1e-30) continue
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
      const cos = 1 / Math.sqrt(t * t + 1)
      const sin = t * cos
      for (let k = 0; k < 3; k++) {
        const akp = a[k][p]
        const akq = a[k][q]
        a[k][p] = cos * akp - sin * akq
        a[k][q] = sin * akp + cos * akq
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p][k]
        const aqk = a[q][k]
        a[p][k] = cos * apk - sin * aqk
        a[q][k] = sin * apk + cos * aqk
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p]
        const vkq = v[k][q]
        v[k][p] = cos * vkp - sin * vkq
        v[k][q] = sin * vkp + cos * vkq
      }
    }
  }
  return { values: [a[0][0], a[1][1], a[2][2]], vectors: v }
}
