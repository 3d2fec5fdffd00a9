/**
 * The pixel math of preparing a photographed digit the way MNIST's digits were prepared: find the ink
 * whatever the lighting, keep the digit and drop specks, and measure where its mass sits. Pure functions on
 * 8-bit gray images, so they are tested without decoding anything.
 */
export interface GrayImage {
  data: Uint8Array
  width: number
  height: number
}

/** Brightness range (of the 3x3-smoothed image) below which an image holds nothing to read. */
export const UNIFORM_RANGE = 32

export interface Polarity {
  /** True when the ink is darker than its background (pen on paper), so the image must be inverted. */
  darkInk: boolean
  /** Darkest to brightest 3x3 mean: under UNIFORM_RANGE the image is blank or nearly so. */
  range: number
}

/**
 * Which of dark-on-light or light-on-dark the image is. The background covers most of any picture of one
 * digit, so the median brightness is background: nearer the light end of the range means dark ink. The
 * extremes are read on 3x3 means, so that JPEG noise does not make a blank page look inked, while a small
 * digit (a fraction of a percent of a photo) still counts.
 */
export function polarity({ data, width, height }: GrayImage): Polarity {
  const histogram = new Uint32Array(256)
  for (const value of data) histogram[value]++
  let seen = 0
  let median = 255
  for (let value = 0; value < 256; value++) {
    seen += histogram[value]
    if (seen > data.length / 2) {
      median = value
      break
    }
  }
  let low = 255
  let high = 0
  if (width < 3 || height < 3) {
    for (const value of data) {
      low = Math.min(low, value)
      high = Math.max(high, value)
    }
  } else {
    const sums = windowSums3(data, width, height)
    let lowSum = Infinity
    let highSum = -Infinity
    for (let i = 0; i < sums.length; i++) {
      if (sums[i] < lowSum) lowSum = sums[i]
      if (sums[i] > highSum) highSum = sums[i]
    }
    low = lowSum / 9
    high = highSum / 9
  }
  return { darkInk: high - median < median - low, range: high - low }
}

/**
 * Ink strength in 0..1 per pixel. A shadow or a light fall-off is not ink: the background is estimated by
 * a morphological opening with a window far wider than any stroke (a min filter then a max filter: it keeps
 * every smooth gradient and removes strokes), and ink is how far a pixel stands above that background,
 * relative to the contrast left there, so a digit in shadow is as strong as one in light.
 */
export function inkStrength(image: GrayImage, darkInk: boolean): Float32Array {
  const { width, height } = image
  // A plain loop: Uint8Array.from with a mapping function took most of a drop's preparation time.
  const light = new Uint8Array(image.data.length)
  for (let i = 0; i < light.length; i++) light[i] = darkInk ? 255 - image.data[i] : image.data[i]
  // Strokes are far narrower than a fifth of the picture, even for a digit that fills it.
  const radius = Math.max(2, Math.round(Math.max(width, height) / 5))
  const background = slidingFilter(slidingFilter(light, width, height, radius, Math.min), width, height, radius, Math.max)
  const ink = new Float32Array(light.length)
  for (let i = 0; i < light.length; i++) ink[i] = Math.max(0, light[i] - background[i]) / Math.max(255 - background[i], 48)
  return normaliseInk(ink, width, height)
}

/** Below this fraction of the strongest stroke a pixel is paper grain, JPEG noise or a faint smudge. */
const NOISE_FLOOR = 0.2

/**
 * Stretches the ink so the digit's strokes reach 1, as MNIST's do, whatever pen or light, and zeroes the
 * noise floor. The strongest stroke is read on a 3x3 mean so that a single noisy pixel does not set it.
 */
function normaliseInk(ink: Float32Array, width: number, height: number): Float32Array {
  let strongest = 0
  if (width < 3 || height < 3) {
    strongest = ink.reduce((a, b) => Math.max(a, b), 0)
  } else {
    const sums = windowSums3(ink, width, height)
    let highSum = 0
    for (let i = 0; i < sums.length; i++) if (sums[i] > highSum) highSum = sums[i]
    strongest = highSum / 9
  }
  if (strongest <= 0) return ink
  for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, Math.max(0, (ink[i] / strongest - NOISE_FLOOR) / (1 - NOISE_FLOOR)))
  return ink
}

/**
 * Min or max over a (2r+1) square window, done as two 1-D passes with a monotonic queue: linear in the
 * number of pixels whatever the radius, which matters for a window a fifth of a photo wide.
 */
function slidingFilter(data: Uint8Array, width: number, height: number, radius: number, pick: (a: number, b: number) => number): Uint8Array {
  const isMin = pick(0, 1) === 0
  const queue = new Int32Array(Math.max(width, height))
  const rows = new Uint8Array(data.length)
  for (let y = 0; y < height; y++) filterLine(data, rows, y * width, 1, width, radius, isMin, queue)
  const out = new Uint8Array(data.length)
  for (let x = 0; x < width; x++) filterLine(rows, out, x, width, height, radius, isMin, queue)
  return out
}

/**
 * The sums of every 3x3 window that lies inside the image ((width - 2) x (height - 2) of them, row by row),
 * as three-wide row sums added three rows at a time: a third of the reads of summing each window, and in
 * double, so the order of the nine additions does not change a sum (bytes, or floats of a few bits' range).
 */
function windowSums3(values: ArrayLike<number>, width: number, height: number): Float64Array {
  const inner = width - 2
  const rows = new Float64Array(inner * height)
  for (let y = 0; y < height; y++) {
    const at = y * width
    for (let x = 0; x < inner; x++) rows[y * inner + x] = values[at + x] + values[at + x + 1] + values[at + x + 2]
  }
  const sums = new Float64Array(inner * (height - 2))
  for (let i = 0; i < sums.length; i++) sums[i] = rows[i] + rows[i + inner] + rows[i + 2 * inner]
  return sums
}

/** One line of the sliding min (or max): the queue holds indices whose values increase (decrease). */
function filterLine(src: Uint8Array, dst: Uint8Array, start: number, stride: number, length: number, radius: number, isMin: boolean, queue: Int32Array): void {
  let head = 0
  let tail = 0
  let next = 0
  for (let i = 0; i < length; i++) {
    // Admit everything up to i + radius, dropping entries the newcomer beats (two loops, not one with the
    // max's values negated: a multiply per comparison was most of a dropped digit's levelling time).
    const last = Math.min(length - 1, i + radius)
    for (; next <= last; next++) {
      const value = src[start + next * stride]
      if (isMin) while (tail > head && value <= src[start + queue[tail - 1] * stride]) tail--
      else while (tail > head && value >= src[start + queue[tail - 1] * stride]) tail--
      queue[tail++] = next
    }
    while (queue[head] < i - radius) head++
    dst[start + i * stride] = src[start + queue[head] * stride]
  }
}

/** Ink above this counts as part of the digit's shape when finding its pieces and its box. */
export const SHAPE_THRESHOLD = 0.3
/** A piece smaller than this fraction of the largest one is a speck, not part of the digit (a 5's flag is far larger). */
const SPECK_FRACTION = 0.06

export interface InkBox {
  left: number
  top: number
  width: number
  height: number
}

/**
 * Keeps the digit: the largest connected piece of ink and every piece of comparable size (a 5 written in two
 * strokes), clearing specks and dust in place. Returns the box around what is kept, or null when there is
 * no ink at all.
 */
export function keepDigit(ink: Float32Array, width: number, height: number): InkBox | null {
  const labels = new Int32Array(ink.length).fill(-1)
  const sizes: number[] = []
  const stack: number[] = []
  for (let seed = 0; seed < ink.length; seed++) {
    if (labels[seed] !== -1 || ink[seed] < SHAPE_THRESHOLD) continue
    const label = sizes.length
    let size = 0
    labels[seed] = label
    stack.push(seed)
    while (stack.length) {
      const i = stack.pop() as number
      size++
      const x = i % width
      const y = (i - x) / width
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx
          const ny = y + dy
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue
          const j = ny * width + nx
          if (labels[j] === -1 && ink[j] >= SHAPE_THRESHOLD) {
            labels[j] = label
            stack.push(j)
          }
        }
      }
    }
    sizes.push(size)
  }
  if (sizes.length === 0) return null
  const largest = Math.max(...sizes)
  const kept = sizes.map((size) => size >= largest * SPECK_FRACTION)
  // Faint ink next to a kept piece (its anti-aliased edge) stays; faint ink elsewhere goes with the specks.
  const near = dilateKept(labels, kept, width, height)
  let left = width
  let top = height
  let right = -1
  let bottom = -1
  for (let i = 0; i < ink.length; i++) {
    if (!near[i]) {
      ink[i] = 0
      continue
    }
    if (ink[i] < SHAPE_THRESHOLD) continue
    const x = i % width
    const y = (i - x) / width
    left = Math.min(left, x)
    right = Math.max(right, x)
    top = Math.min(top, y)
    bottom = Math.max(bottom, y)
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 }
}

/** Pixels of a kept piece or within two pixels of one. */
function dilateKept(labels: Int32Array, kept: boolean[], width: number, height: number): Uint8Array {
  const near = new Uint8Array(labels.length)
  const reach = 2
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const label = labels[y * width + x]
      if (label < 0 || !kept[label]) continue
      for (let ny = Math.max(0, y - reach); ny <= Math.min(height - 1, y + reach); ny++) {
        for (let nx = Math.max(0, x - reach); nx <= Math.min(width - 1, x + reach); nx++) near[ny * width + nx] = 1
      }
    }
  }
  return near
}

/** Centre of mass (x, y) in pixel-index coordinates, the way scipy's center_of_mass measures MNIST digits. */
export function centreOfMass(pixels: ArrayLike<number>, width: number, height: number): { x: number; y: number } {
  let mass = 0
  let sumX = 0
  let sumY = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const m = pixels[y * width + x]
      mass += m
      sumX += m * x
      sumY += m * y
    }
  }
  return mass > 0 ? { x: sumX / mass, y: sumY / mass } : { x: (width - 1) / 2, y: (height - 1) / 2 }
}
