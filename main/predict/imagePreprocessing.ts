import sharp from 'sharp'
import type { ModelInputPreview } from '../../shared/api/schemas'
import { centreOfMass, inkStrength, keepDigit, polarity, SHAPE_THRESHOLD, UNIFORM_RANGE, type GrayImage } from './digitInk'

import { BadImageError } from './badImageError'
import { MNIST_FIT, thinToMnistWidth } from './strokeWidth'

/** Refuse decompression bombs before decoding: 50 megapixels is far beyond any photo of a digit. */
const MAX_INPUT_PIXELS = 50_000_000
/** Photos are searched for ink at this size at most: a digit a tenth of the page is still 50 px tall. */
const WORK_SIZE = 512

export const BLANK_IMAGE_WARNING = 'This image is blank or nearly uniform: there is no digit or object to read, so the ranking below means nothing.'

/**
 * Turns any image into what an MNIST-trained model expects, the way MNIST itself was made: the background
 * levelled out (a shadow is not ink), light ink on black, cropped to the digit, fitted into 20x20 keeping its
 * aspect ratio, and placed in 28x28 so that its centre of mass is at the centre. `steps` says what was done.
 */
export async function toMnistInput(bytes: Uint8Array, fileName: string, size = 28): Promise<ModelInputPreview> {
  let gray: GrayImage
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .flatten({ background: '#ffffff' })
      .grayscale()
      .resize(WORK_SIZE, WORK_SIZE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true })
    gray = { data: data.subarray(0, info.width * info.height), width: info.width, height: info.height }
  } catch (error) {
    throw new BadImageError(`${fileName} is not an image that can be read (${describeSharpError(error)})`)
  }
  const blank = (inverted: boolean): ModelInputPreview => ({ width: size, height: size, channels: 1, pixels: new Array<number>(size * size).fill(0), inverted, warning: BLANK_IMAGE_WARNING })
  const { darkInk, range } = polarity(gray)
  if (range < UNIFORM_RANGE) return blank(false)

  const ink = inkStrength(gray, darkInk)
  const box = keepDigit(ink, gray.width, gray.height)
  if (!box) return blank(darkInk)
  const crop = new Uint8Array(box.width * box.height)
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) crop[y * box.width + x] = Math.round(ink[(y + box.top) * gray.width + x + box.left] * 255)
  }
  const inner = Math.round((size * MNIST_FIT) / 28)
  const thinned = await thinThickStrokes(crop, box.width, box.height)
  const fitted = await fitInto(thinned ?? { data: crop, width: box.width, height: box.height }, inner)
  const pixels = placeByCentreOfMass(fitted.data, fitted.width, fitted.height, size)
  const steps = [
    darkInk ? 'dark ink on a light background: inverted' : 'light ink on a dark background: kept',
    'background levelled (shadows and light fall-off removed)',
    `cropped to the ink (${box.width}×${box.height} of ${gray.width}×${gray.height} px)`,
    ...(thinned ? [thinned.step] : []),
    `fitted into ${inner}×${inner} keeping its aspect ratio (${fitted.width}×${fitted.height})`,
    `centred by centre of mass in ${size}×${size}`,
  ]
  return { width: size, height: size, channels: 1, pixels, inverted: darkInk, steps }
}

/** Thick strokes are thinned on the digit resampled to this longer side (4x MNIST's 20): cheap, and fine enough. */
const STROKE_SIDE = 80

/** The digit resampled to fit inner x inner keeping its aspect ratio, its strokes stretched to full brightness. */
async function fitInto(digit: GrayImage, inner: number): Promise<GrayImage> {
  const { data, info } = await sharp(digit.data, { raw: { width: digit.width, height: digit.height, channels: 1 } })
    .resize(inner, inner, { fit: 'inside', kernel: 'lanczos3' })
    // Without this sharp hands back sRGB: three bytes per pixel.
    .grayscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data: stretchToFull(data.subarray(0, info.width * info.height)), width: info.width, height: info.height }
}

/**
 * A thick marker's digit with its strokes thinned to MNIST's width (strokeWidth.ts), cropped again to what
 * is left of its ink; null when the strokes are not thick, so that a thin digit goes on untouched. Measured
 * and thinned on the digit resampled to STROKE_SIDE, several times MNIST's 20, as MNIST's width was measured.
 */
async function thinThickStrokes(crop: Uint8Array, width: number, height: number): Promise<(GrayImage & { step: string }) | null> {
  const { data, info } = await sharp(crop, { raw: { width, height, channels: 1 } })
    .resize(STROKE_SIDE, STROKE_SIDE, { fit: 'inside', kernel: 'lanczos3' })
    .grayscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const thinning = thinToMnistWidth(Float32Array.from(data.subarray(0, info.width * info.height), (v) => v / 255), info.width, info.height)
  if (!thinning) return null
  const { left, top, right, bottom } = inkExtent(thinning.ink, info.width, info.height)
  const digit = { data: new Uint8Array((right - left + 1) * (bottom - top + 1)), width: right - left + 1, height: bottom - top + 1 }
  for (let y = top; y <= bottom; y++) for (let x = left; x <= right; x++) digit.data[(y - top) * digit.width + x - left] = Math.round(thinning.ink[y * info.width + x] * 255)
  const [was, now] = [(thinning.before * MNIST_FIT) / Math.max(info.width, info.height), (thinning.target * MNIST_FIT) / Math.max(digit.width, digit.height)]
  return { ...digit, step: `thick strokes thinned to MNIST's width (${was.toFixed(1)} → ${now.toFixed(1)} px in the ${MNIST_FIT}×${MNIST_FIT} fit)` }
}

/** The box around the ink that counts as the digit's shape (as keepDigit's box). */
function inkExtent(ink: Float32Array, width: number, height: number): { left: number; top: number; right: number; bottom: number } {
  let left = width
  let top = height
  let right = -1
  let bottom = -1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] < SHAPE_THRESHOLD) continue
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  return right < 0 ? { left: 0, top: 0, right: width - 1, bottom: height - 1 } : { left, top, right, bottom }
}

/** Strokes reach full brightness, as MNIST's do, after resampling softened thin ones. */
function stretchToFull(pixels: Uint8Array): Uint8Array {
  const max = pixels.reduce((a, b) => Math.max(a, b), 0)
  return max > 0 && max < 255 ? Uint8Array.from(pixels, (p) => Math.round((p * 255) / max)) : pixels
}

/**
 * The fitted digit pasted into a size x size black frame so that its centre of mass lands on the centre
 * pixel (size/2, as MNIST's 14,14), moved back inside the frame in the rare case that would cut ink off.
 */
function placeByCentreOfMass(patch: Uint8Array, width: number, height: number, size: number): number[] {
  const mass = centreOfMass(patch, width, height)
  const left = Math.min(size - width, Math.max(0, Math.round(size / 2 - mass.x)))
  const top = Math.min(size - height, Math.max(0, Math.round(size / 2 - mass.y)))
  const frame = new Array<number>(size * size).fill(0)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) frame[(y + top) * size + x + left] = patch[y * width + x]
  return frame
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
