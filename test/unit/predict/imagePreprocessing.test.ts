import { describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { BadImageError } from '../../../main/predict/badImageError'
import { BLANK_IMAGE_WARNING, toMnistInput } from '../../../main/predict/imagePreprocessing'
import { measureStrokes, MNIST_STROKE_WIDTH, THICK_TOLERANCE } from '../../../main/predict/strokeWidth'
import { fillingDigits, markerDigits, MARKER_WIDTHS, photographedDigits } from '../../helpers/photographedDigits'
import { markerStrokeWidth } from '../../helpers/markerStrokeWidth'

/** A dark vertical stroke on a light 100x60 background: a "1" written on paper. */
async function strokeOnPaper(): Promise<Buffer> {
  const width = 60
  const height = 100
  const pixels = Buffer.alloc(width * height, 235)
  for (let y = 20; y < 80; y++) for (let x = 28; x < 34; x++) pixels[y * width + x] = 20
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer()
}

describe('toMnistInput', () => {
  it('inverts dark ink on paper and centres the stroke in a 28x28 frame', async () => {
    const preview = await toMnistInput(await strokeOnPaper(), 'one.png')
    expect(preview).toMatchObject({ width: 28, height: 28, inverted: true })
    expect(preview.pixels).toHaveLength(784)
    const at = (x: number, y: number) => preview.pixels[y * 28 + x]
    expect(at(0, 0)).toBe(0)
    expect(at(14, 14)).toBeGreaterThan(200)
    // The 60-pixel stroke is scaled to fill the 20-pixel box, as MNIST digits are, its mass centred at 14.
    expect(at(14, 5)).toBeGreaterThan(100)
    expect(at(14, 24)).toBeGreaterThan(100)
    expect(at(14, 3)).toBe(0)
    expect(at(14, 26)).toBe(0)
  })

  it('keeps a light digit on a dark background as it is', async () => {
    const pixels = Buffer.alloc(28 * 28, 0)
    for (let y = 6; y < 22; y++) pixels[y * 28 + 14] = 255
    const png = await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()
    expect((await toMnistInput(png, 'mnist-like.png')).inverted).toBe(false)
  })

  it('reads colour images with alpha (flattened on white)', async () => {
    const rgba = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 8, height: 30, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 1 } } }, left: 16, top: 5 }])
      .png()
      .toBuffer()
    const preview = await toMnistInput(rgba, 'red-stroke.png')
    expect(preview.inverted).toBe(true)
    expect(Math.max(...preview.pixels)).toBeGreaterThan(150)
  })

  it('names a file that is not an image', async () => {
    const error = await toMnistInput(Buffer.from('just some notes, not a picture'), 'notes.txt').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadImageError)
    expect((error as Error).message).toMatch(/^notes\.txt is not an image that can be read \(unsupported or unknown format/)
  })

  it('names a truncated image', async () => {
    const png = await strokeOnPaper()
    const error = await toMnistInput(png.subarray(0, 60), 'cut.png').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadImageError)
    expect((error as Error).message).toMatch(/^cut\.png is not an image that can be read/)
  })
})

/** Ink bounding box and centre of mass of a prepared 28x28 digit. */
function geometry(pixels: number[]) {
  let mass = 0
  let sumX = 0
  let sumY = 0
  let left = 28
  let right = -1
  let top = 28
  let bottom = -1
  pixels.forEach((value, i) => {
    const x = i % 28
    const y = (i - x) / 28
    mass += value
    sumX += value * x
    sumY += value * y
    if (value > 0) {
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  })
  return { width: right - left + 1, height: bottom - top + 1, x: sumX / mass, y: sumY / mass }
}

describe('toMnistInput on photographed digits (generated: small and off-centre, under a shadow, thick marker near a corner)', async () => {
  const photographed = await photographedDigits()
  const filling = await fillingDigits()
  const markers = (await Promise.all(MARKER_WIDTHS.map((fraction) => markerDigits(fraction)))).flat()

  it.each([...photographed, ...filling, ...markers].map((image) => [image.fileName, image] as const))('%s: light ink on black, fitted in 20x20, centred by mass at 14,14', async (_name, image) => {
    const preview = await toMnistInput(image.bytes, image.fileName)
    expect(preview.warning).toBeUndefined()
    expect(preview.inverted).toBe(true)
    const { width, height, x, y } = geometry(preview.pixels)
    // Fitted keeping its aspect ratio: the longer side fills the 20-pixel box, the shorter one does not.
    expect(Math.max(width, height)).toBeGreaterThanOrEqual(19)
    expect(Math.max(width, height)).toBeLessThanOrEqual(20)
    expect(Math.min(width, height)).toBeLessThan(20)
    expect(Math.abs(x - 14)).toBeLessThan(1)
    expect(Math.abs(y - 14)).toBeLessThan(1)
    // Light ink on black: the frame's corners are black, the strokes reach full brightness.
    expect([preview.pixels[0], preview.pixels[27], preview.pixels[28 * 27], preview.pixels[28 * 28 - 1]]).toEqual([0, 0, 0, 0])
    expect(Math.max(...preview.pixels)).toBe(255)
    expect(preview.steps?.join(' ')).toMatch(/centre of mass/)
  })

  it('finds the digit under the shadow, not the shadow: the ink is a digit-sized fraction of the frame', async () => {
    for (const image of photographed.filter((p) => p.kind === 'shadow')) {
      const preview = await toMnistInput(image.bytes, image.fileName)
      const lit = preview.pixels.filter((p) => p > 127).length
      // A shadow taken for ink would light up a large block; a printed digit covers 10-35% of 28x28.
      expect(lit / 784, image.fileName).toBeLessThan(0.35)
      expect(lit / 784, image.fileName).toBeGreaterThan(0.05)
    }
  })

  it('keeps an MNIST-like light digit on black light, and centres it the same way', async () => {
    const pixels = Buffer.alloc(28 * 28, 0)
    for (let y = 3; y < 13; y++) for (let x = 2; x < 5; x++) pixels[y * 28 + x] = 255
    const png = await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()
    const preview = await toMnistInput(png, 'corner-stroke.png')
    expect(preview.inverted).toBe(false)
    const { height, x, y } = geometry(preview.pixels)
    expect(height).toBe(20)
    expect(Math.abs(x - 14)).toBeLessThan(1)
    expect(Math.abs(y - 14)).toBeLessThan(1)
  })
})

/** A prepared 28x28 digit's stroke width measured as MNIST_STROKE_WIDTH was measured on MNIST: enlarged 4x, divided by 4. */
async function preparedStrokeWidth(pixels: number[]): Promise<number> {
  const large = await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112, { kernel: 'lanczos3' }).grayscale().raw().toBuffer()
  return measureStrokes(Float32Array.from(large, (v) => v / 255), 112, 112).width / 4
}

describe('toMnistInput on thick marker strokes', async () => {
  const thick = [...(await photographedDigits()).filter((image) => image.kind === 'marker-corner'), ...(await Promise.all(MARKER_WIDTHS.slice(1).map((fraction) => markerDigits(fraction)))).flat()]

  it.each(thick.map((image) => [image.fileName, image] as const))('%s: thinned to MNIST\'s stroke width (within 20%) before the fit', async (_name, image) => {
    const drawn = await markerStrokeWidth(image.bytes)
    expect(drawn).toBeGreaterThan(MNIST_STROKE_WIDTH * THICK_TOLERANCE)
    const preview = await toMnistInput(image.bytes, image.fileName)
    expect(preview.steps?.join(' ')).toMatch(/thick strokes thinned to MNIST's width \(\d+\.\d → \d+\.\d px in the 20×20 fit\)/)
    const prepared = await preparedStrokeWidth(preview.pixels)
    expect(Math.abs(prepared - MNIST_STROKE_WIDTH) / MNIST_STROKE_WIDTH).toBeLessThan(0.2)
  })

  it('leaves a digit already at MNIST\'s stroke width as it was: no thinning step, its strokes as wide as drawn', async () => {
    // A "0" drawn with MNIST's pen for its size: 2.64 / 20 of its height (80 px, and the pen).
    const width = 60
    const height = 100
    const pen = (MNIST_STROKE_WIDTH / 20) * 90
    const pixels = Buffer.alloc(width * height, 235)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const d = Math.abs(Math.hypot((x - 30) / 20, (y - 50) / 40) - 1) * 30
        if (d < pen / 2) pixels[y * width + x] = 20
      }
    }
    const png = await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer()
    const preview = await toMnistInput(png, 'thin-zero.png')
    expect(preview.steps?.join(' ')).not.toMatch(/thinned/)
    const [drawn, prepared] = [await markerStrokeWidth(png), await preparedStrokeWidth(preview.pixels)]
    expect(Math.abs(prepared - drawn) / drawn).toBeLessThan(0.1)
  })
})

describe('blank images', () => {
  it.each([
    ['a 1x1 white PNG', { width: 1, height: 1, value: 255 }],
    ['a 200x200 gray page', { width: 200, height: 200, value: 128 }],
    ['a black 28x28 square', { width: 28, height: 28, value: 0 }],
  ] as const)('warns on %s instead of pretending to read a digit', async (_name, { width, height, value }) => {
    const png = await sharp(Buffer.alloc(width * height, value), { raw: { width, height, channels: 1 } }).png().toBuffer()
    const preview = await toMnistInput(png, 'blank.png')
    expect(preview.warning).toBe(BLANK_IMAGE_WARNING)
    expect(preview.pixels).toHaveLength(784)
  })

  it('warns on a noisy but empty JPEG page, and not on the same page with a small digit', async () => {
    const [withDigit] = await photographedDigits()
    const noisy = Buffer.alloc(400 * 300)
    let state = 7
    for (let i = 0; i < noisy.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0
      noisy[i] = 232 + ((state >>> 16) % 13)
    }
    const jpeg = await sharp(noisy, { raw: { width: 400, height: 300, channels: 1 } }).jpeg({ quality: 70 }).toBuffer()
    expect((await toMnistInput(jpeg, 'empty.jpg')).warning).toBe(BLANK_IMAGE_WARNING)
    expect((await toMnistInput(withDigit.bytes, withDigit.fileName)).warning).toBeUndefined()
  })
})
