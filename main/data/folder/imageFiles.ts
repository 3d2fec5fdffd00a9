import type SharpConstructor from 'sharp'
import { environment } from '../../config/environment'
import { decodeJpegBatch } from './jpegFastPath'

/**
 * sharp (libvips) is loaded on the first decode: a training process on MNIST or CIFAR never needs it, and
 * the bundled GPU checks (test/bench/packGpuBench.sh) run on a box where it is not installed.
 */
let sharpModule: Promise<typeof SharpConstructor> | undefined
const loadSharp = (): Promise<typeof SharpConstructor> =>
  (sharpModule ??= import('sharp').then((module) => {
    // Many images decode at once (decodeConcurrency), each on one libuv thread: one libvips thread per
    // image, so that every core decodes its own image instead of cores x cores threads contending.
    module.default.concurrency(1)
    // libvips' operation cache never hits here (every file is a new buffer) but hashes, looks up and keeps
    // every operation of every decode, with its input buffer, until evicted: pure per-image overhead.
    module.default.cache(false)
    return module.default
  }))

/** libuv's thread pool, where file reads and sharp's decodes run (Node's default: 4 threads). */
export function libuvThreads(): number {
  const size = Number(environment('UV_THREADPOOL_SIZE'))
  return Number.isInteger(size) && size > 0 ? size : 4
}

/** Files read and decoded at once: two per libuv thread, so that a thread never waits for the next file. */
export function decodeConcurrency(): number {
  return 2 * libuvThreads()
}

/** Refuse decompression bombs before decoding: sharp reads the size from the header and stops there. */
export const MAX_INPUT_PIXELS = 40_000_000
/** Larger files are not read at all (no photo of a class needs more). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024

export type SniffedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif/heif'

/** The format from the first bytes, whatever the file's name says; undefined when it is none we decode. */
export function sniffFormat(head: Uint8Array): SniffedFormat | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to))
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg'
  if (head[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png'
  if (ascii(0, 4) === 'GIF8') return 'gif'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp'
  if ((head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x2a && head[3] === 0) || (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && head[3] === 0x2a)) return 'tiff'
  if (ascii(4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1|msf1)$/.test(ascii(8, 12))) return 'avif/heif'
  return undefined
}

const IMAGE_EXTENSIONS = /\.(jpe?g|jfif|png|gif|webp|tiff?|avif|heic)$/i

/** Why a file that is not a decodable image was left out, in words. */
export function describeNotImage(name: string, head: Uint8Array): string {
  if (/\.svg$/i.test(name)) return 'not a raster image (SVG is not supported)'
  if (/\.bmp$/i.test(name) || (head[0] === 0x42 && head[1] === 0x4d)) return 'BMP is not supported; convert it to PNG'
  if (IMAGE_EXTENSIONS.test(name)) return `named like an image, but its contents are not JPEG, PNG, WebP, GIF or TIFF (starts with ${hex(head.subarray(0, 8))})`
  const dot = name.lastIndexOf('.')
  return `not an image${dot > 0 ? ` (${name.slice(dot)} file)` : ''}`
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing'
}

export class ImageDecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'ImageDecodeError'
  }
}

export interface DecodeTarget {
  height: number
  width: number
  channels: 1 | 3
}

/**
 * Decodes any supported image (JPEG, PNG, WebP, GIF's first frame, TIFF; CMYK, 16-bit, alpha, palette) into
 * HWC bytes of the target size and channels: EXIF orientation applied, alpha flattened onto black, colour
 * converted to sRGB (or luma), resized bilinearly to exactly the target (aspect ratio not kept, like
 * torchvision's Resize((h, w))). A large JPEG or WebP is decoded at 1/2, 1/4 or 1/8 of its size where
 * that is still at least twice the target (libjpeg's shrink-on-load): a 4000x3000 photo for a 96 px
 * network decodes 500x375 pixels, not 12 million.
 *
 * JPEGs go through the native decoder (jpegFastPath.ts) when it is built and the file is one it decodes
 * exactly; everything else, and every broken file (so that its reason stays sharp's), through sharp.
 */
export async function decodeImage(bytes: Uint8Array, target: DecodeTarget): Promise<Uint8Array> {
  const [result] = await decodeImages([bytes], target)
  if (result instanceof ImageDecodeError) throw result
  return result
}

/**
 * decodeImage for many files at once (a folder's batch): the JPEGs in one native call on all cores, the
 * rest through sharp, decodeConcurrency() at a time. Each file's pixels, or the error saying why not.
 */
export async function decodeImages(files: Uint8Array[], target: DecodeTarget): Promise<(Uint8Array | ImageDecodeError)[]> {
  const results = new Array<Uint8Array | ImageDecodeError | undefined>(files.length)
  const jpegs = files.flatMap((bytes, i) => (sniffFormat(bytes.subarray(0, 12)) === 'jpeg' ? [i] : []))
  const native = await decodeJpegBatch(jpegs.map((i) => files[i]), target, MAX_INPUT_PIXELS)
  native.pixels.forEach((pixels, k) => (results[jpegs[k]] = pixels))
  const rest = files.flatMap((_, i) => (results[i] ? [] : [i]))
  let next = 0
  const worker = async () => {
    for (let i = rest[next++]; i !== undefined; i = rest[next++]) {
      results[i] = await decodeWithSharp(files[i], target).catch((error: unknown) => error as ImageDecodeError)
    }
  }
  await Promise.all(Array.from({ length: Math.min(decodeConcurrency(), rest.length) }, worker))
  return results as (Uint8Array | ImageDecodeError)[]
}

/** decodeImage through sharp (libvips) alone: every format, the reference the native JPEG path is held to. */
export async function decodeWithSharp(bytes: Uint8Array, target: DecodeTarget): Promise<Uint8Array> {
  try {
    const sharp = await loadSharp()
    let image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', pages: 1 }).rotate().flatten({ background: '#000000' })
    // Grey stays grey to the end: with the default output space (sRGB) sharp would convert the B_W
    // result back to three equal bands and take the first, two more libvips operations per image for
    // the same bytes (the folder decode test holds them equal).
    image = target.channels === 1 ? image.grayscale().toColourspace('b-w') : image.toColourspace('srgb')
    const { data, info } = await image
      .resize(target.width, target.height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: true })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    const expected = target.width * target.height * target.channels
    if (info.channels !== target.channels || data.length !== expected) {
      throw new ImageDecodeError(`decoded to ${info.channels} channels (${data.length} bytes), expected ${target.channels}`)
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length)
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error
    throw new ImageDecodeError(describeSharpError(error))
  }
}

/** The size and channels stored in the header, without decoding the pixels. */
export async function readImageHeader(bytes: Uint8Array): Promise<{ width: number; height: number; channels: number; space: string }> {
  try {
    const sharp = await loadSharp()
    const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1 }).metadata()
    if (!meta.width || !meta.height) throw new ImageDecodeError('has no width or height in its header')
    if (meta.width * meta.height > MAX_INPUT_PIXELS) throw new ImageDecodeError(tooLarge(meta.width, meta.height))
    return { width: meta.width, height: meta.height, channels: meta.channels ?? 0, space: meta.space ?? '' }
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error
    throw new ImageDecodeError(describeSharpError(error))
  }
}

function tooLarge(width: number, height: number): string {
  return `${width}x${height} is more than ${MAX_INPUT_PIXELS / 1e6} megapixels (a decompression bomb?); refused without decoding`
}

const TRUNCATED = 'corrupt or truncated (the image data ends early or is damaged)'

export function describeSharpError(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
  const size = /pixel limit/i.test(message)
  if (size) return `more than ${MAX_INPUT_PIXELS / 1e6} megapixels (a decompression bomb?); refused without decoding`
  if (/unsupported image format/i.test(message)) return 'not an image format that can be decoded'
  // With failOn: 'warning', libvips reports a truncated JPEG either by its own words or only as
  // "Warning treated as error", whichever reaches its (process-wide) error buffer first while other
  // images decode: one wording for both, so that the same file gets the same reason in every run.
  if (/premature end|truncated|unexpected end|warning treated as error/i.test(message)) return TRUNCATED
  if (/read error|Invalid.*data|corrupt|bad/i.test(message)) return `corrupt or truncated (${message})`
  return `cannot be decoded (${message})`
}
