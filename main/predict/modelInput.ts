import type { ModelInputPreview } from '../../shared/api/schemas'
import { decodeImage, ImageDecodeError, sniffFormat } from '../data/folder/imageFiles'
import { polarity, UNIFORM_RANGE } from './digitInk'
import { BadImageError } from './badImageError'
import { BLANK_IMAGE_WARNING, borderMean, toMnistInput } from './imagePreprocessing'

/**
 * A dropped image turned into what a run's model was trained on. Digits get MNIST's own preparation
 * (inverted, centred in 20x20); everything else is decoded exactly like the training pipeline decodes a
 * folder image (stretched to the input size, alpha on black). Fashion-MNIST items are light on black, so
 * a photo on a light background is inverted like a digit.
 */
export async function toModelInput(bytes: Uint8Array, fileName: string, dataset: string, shape: [number, number, number]): Promise<ModelInputPreview> {
  const [height, width, channels] = shape
  // One policy with folder data sets: the formats they train on (by content, not name), so an SVG or a
  // BMP is refused here exactly as a data set leaves it out.
  const head = bytes.subarray(0, 16)
  if (!sniffFormat(head)) throw new BadImageError(`${fileName} is not an image that can be read (${unsupportedReason(fileName, head)})`)
  if (dataset === 'mnist' && height === width) {
    const digit = await toMnistInput(bytes, fileName, height)
    return channels === 1 ? digit : { ...digit, channels, pixels: digit.pixels.flatMap((p) => Array(channels).fill(p)) }
  }
  let pixels: Uint8Array
  try {
    pixels = await decodeImage(bytes, { height, width, channels: channels === 1 ? 1 : 3 })
  } catch (error) {
    throw new BadImageError(`${fileName} is not an image that can be read (${error instanceof ImageDecodeError ? error.reason : String(error)})`)
  }
  const blank = polarity({ data: pixels, width: pixels.length, height: 1 }).range < UNIFORM_RANGE
  let inverted = false
  if (dataset === 'fashion-mnist' && channels === 1 && borderMean({ data: pixels, width, height }) > 127) {
    inverted = true
    for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i]
  }
  return { width, height, channels, pixels: Array.from(pixels), inverted, ...(blank ? { warning: BLANK_IMAGE_WARNING } : {}) }
}

function unsupportedReason(fileName: string, head: Uint8Array): string {
  const text = String.fromCharCode(...head).trimStart()
  if (/\.svg$/i.test(fileName) || text.startsWith('<svg') || text.startsWith('<?xml')) return 'SVG is not supported, as in folder data sets: it is not a raster image; use PNG, JPEG, WebP, GIF or TIFF'
  if (head[0] === 0x42 && head[1] === 0x4d) return 'BMP is not supported, as in folder data sets; convert it to PNG'
  return 'unsupported or unknown format; use PNG, JPEG, WebP, GIF or TIFF'
}
