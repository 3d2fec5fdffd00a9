import { describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { BadImageError, toMnistInput } from '../../main/predict/imagePreprocessing'

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
    // The 60-pixel stroke is scaled to fill the 20-pixel box, as MNIST digits are.
    expect(at(14, 4)).toBeGreaterThan(100)
    expect(at(14, 2)).toBe(0)
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
