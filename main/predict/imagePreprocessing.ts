import sharp from 'sharp'
import { WorkbenchError } from '../../shared/api/contract'
import type { ModelInputPreview } from '../../shared/api/schemas'

export class BadImageError extends WorkbenchError {
  constructor(message: string) {
    super('bad-input', message)
    this.name = 'BadImageError'
  }
}

/** Refuse decompression bombs before decoding: 50 megapixels is far beyond any photo of a digit. */
const MAX_INPUT_PIXELS = 50_000_000
const INK_THRESHOLD = 40

/**
 * Turns any image into what an MNIST-trained model expects: 28x28 grayscale, a light digit on black,
 * the ink's bounding box scaled into the central 20x20 like the original data set. Photos of dark ink on
 * paper are inverted (decided by the border, which is background in nearly every drawing).
 */
export async function toMnistInput(bytes: Uint8Array, fileName: string, size = 28): Promise<ModelInputPreview> {
  let gray: { data: Buffer; width: number; height: number }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .flatten({ background: '#ffffff' })
      .grayscale()
      .raw()
      .toBuffer({ resolveWithObject: true })
    gray = { data, width: info.width, height: info.height }
  } catch (error) {
    throw new BadImageError(`${fileName} is not an image that can be read (${describeSharpError(error)})`)
  }
  const inverted = borderMean(gray) > 127
  if (inverted) for (let i = 0; i < gray.data.length; i++) gray.data[i] = 255 - gray.data[i]

  const box = inkBoundingBox(gray)
  const inner = Math.round((size * 20) / 28)
  const margin = Math.floor((size - inner) / 2)
  const pixels = await sharp(gray.data, { raw: { width: gray.width, height: gray.height, channels: 1 } })
    .extract(box)
    .resize(inner, inner, { fit: 'contain', background: { r: 0, g: 0, b: 0 }, kernel: 'lanczos3' })
    .extend({ top: margin, bottom: size - inner - margin, left: margin, right: size - inner - margin, background: { r: 0, g: 0, b: 0 } })
    .grayscale()
    .raw()
    .toBuffer()
  return { width: size, height: size, channels: 1, pixels: Array.from(pixels.subarray(0, size * size)), inverted }
}

function describeSharpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (/unsupported image format/i.test(message)) return 'unsupported or unknown format; use PNG, JPEG, WebP, GIF or TIFF'
  if (/pixel limit/i.test(message)) return `larger than ${MAX_INPUT_PIXELS / 1e6} megapixels`
  return message.split('\n')[0]
}

export function borderMean({ data, width, height }: { data: Uint8Array; width: number; height: number }): number {
  let sum = 0
  let count = 0
  for (let x = 0; x < width; x++) {
    sum += data[x] + data[(height - 1) * width + x]
    count += 2
  }
  for (let y = 0; y < height; y++) {
    sum += data[y * width] + data[y * width + width - 1]
    count += 2
  }
  return sum / count
}

function inkBoundingBox({ data, width, height }: { data: Buffer; width: number; height: number }) {
  let left = width
  let top = height
  let right = -1
  let bottom = -1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] > INK_THRESHOLD) {
        if (x < left) left = x
        if (x > right) right = x
        if (y < top) top = y
        if (y > bottom) bottom = y
      }
    }
  }
  if (right < 0) return { left: 0, top: 0, width, height }
  return { left, top, width: right - left + 1, height: bottom - top + 1 }
}
