import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { appRoot } from '../../config/appRoot'
import { environment } from '../../config/environment'

/**
 * The native JPEG decoder (main/backends/native/jpeg, libjpeg-turbo): many JPEG buffers decoded on all
 * cores off the JS thread, straight to the target size, with sharp's shrink-on-load rule and an
 * antialiased bilinear resize. It takes only what it decodes exactly (8-bit grey or YCbCr, no EXIF
 * rotation, no ICC profile, no libjpeg warning); everything else, and everything when it is not built,
 * goes through sharp (imageFiles.ts), which gives the reasons for broken files.
 */
export interface JpegAddon {
  /** dims: [height, width, channels, maxPixels, threads (0: all cores)]; out: one target image per buffer. */
  decodeBatch(buffers: Uint8Array[], out: Uint8Array, dims: Int32Array, outcomes: Uint8Array): Promise<void>
  /**
   * decodeBatch for files, read on the decoder's threads: paths as bytes; dims as decodeBatch's, then
   * maxFileBytes. A file that is not a regular JPEG within the limit, or cannot be read, is left alone.
   */
  decodeFiles(paths: Uint8Array[], out: Uint8Array, dims: Int32Array, outcomes: Uint8Array): Promise<void>
  /**
   * A folder scan's check of many files on a few threads: sizes[i] and the first heads.length / paths.length
   * bytes of each regular file; ok[i] = 0 where the caller must look itself (not regular, unreadable).
   */
  probeFiles(paths: Uint8Array[], heads: Uint8Array, sizes: Float64Array, ok: Uint8Array): Promise<void>
  /** The libjpeg scale_denom used for an image of this size and a target of that size. */
  shrinkFactor(width: number, height: number, targetWidth: number, targetHeight: number): number
}

/** What each outcome code of decodeBatch means (wbjpeg::Outcome in jpegDecode.h). */
export const JPEG_OUTCOMES = ['decoded', 'libjpeg warning or error', 'EXIF orientation', 'ICC profile', 'not 8-bit grey or YCbCr', 'too many pixels', 'not read here'] as const
export type JpegOutcome = (typeof JPEG_OUTCOMES)[number] | 'no native decoder'

/** The target of a decode (imageFiles.ts' DecodeTarget). */
interface Target {
  height: number
  width: number
  channels: 1 | 3
}

const ADDON_RELATIVE = path.join('main', 'backends', 'native', 'jpeg', 'build', 'Release', 'workbench_jpeg.node')

let loaded: { addon?: JpegAddon; reason: string } | undefined

/** Loads the decoder once; `reason` says where from, or why it is not used. */
export function jpegDecoder(): { addon?: JpegAddon; reason: string } {
  loaded ??= openJpegDecoder(environment('WORKBENCH_NATIVE_JPEG') ?? path.join(appRoot(), ADDON_RELATIVE))
  return loaded
}

export function openJpegDecoder(addonPath: string): { addon?: JpegAddon; reason: string } {
  if (addonPath === 'off') return { reason: 'off (WORKBENCH_NATIVE_JPEG=off): every image decodes through sharp' }
  if (!existsSync(addonPath)) return { reason: `not built (${addonPath} missing; "npm run build:native" needs libjpeg-turbo's jpeglib.h): JPEGs decode through sharp` }
  try {
    return { addon: createRequire(import.meta.url)(addonPath) as JpegAddon, reason: `loaded from ${addonPath}` }
  } catch (error) {
    return { reason: `failed to load from ${addonPath} (${(error as Error).message.split('\n')[0]}): JPEGs decode through sharp` }
  }
}

export interface NativeDecodes {
  /** Each image's pixels (a copy of its own), or undefined with the outcome saying why not. */
  pixels: (Uint8Array | undefined)[]
  outcomes: JpegOutcome[]
}

/** Decodes the JPEG buffers natively where it can; all undefined when the decoder is not available. */
export async function decodeJpegBatch(buffers: Uint8Array[], target: Target, maxPixels: number, addon = jpegDecoder().addon): Promise<NativeDecodes> {
  if (!addon) return unavailable(buffers.length)
  return run(buffers.length, target, (out, codes) => addon.decodeBatch(buffers, out, Int32Array.of(target.height, target.width, target.channels, maxPixels, 0), codes))
}

/**
 * Reads and decodes the files natively where they are JPEGs it decodes exactly: no libuv round trips per
 * file. Files it leaves ('not read here' and the rest) are for the caller to read and decode.
 */
export async function decodeJpegFiles(paths: Uint8Array[], target: Target, maxPixels: number, maxFileBytes: number, addon = jpegDecoder().addon): Promise<NativeDecodes> {
  if (!addon) return unavailable(paths.length)
  const dims = Int32Array.of(target.height, target.width, target.channels, maxPixels, 0, maxFileBytes)
  return run(paths.length, target, (out, codes) => addon.decodeFiles(paths, out, dims, codes))
}

function unavailable(count: number): NativeDecodes {
  return { pixels: new Array<undefined>(count).fill(undefined), outcomes: new Array<JpegOutcome>(count).fill('no native decoder') }
}

async function run(count: number, target: Target, decode: (out: Uint8Array, codes: Uint8Array) => Promise<void>): Promise<NativeDecodes> {
  if (!count) return { pixels: [], outcomes: [] }
  const size = target.height * target.width * target.channels
  const out = new Uint8Array(size * count)
  const codes = new Uint8Array(count)
  await decode(out, codes)
  return {
    // A copy per image: the decoded-image cache counts each image's bytes, and a view would keep the whole batch alive.
    pixels: Array.from(codes, (code, i) => (code === 0 ? out.slice(i * size, (i + 1) * size) : undefined)),
    outcomes: Array.from(codes, (code) => JPEG_OUTCOMES[code] ?? 'libjpeg warning or error'),
  }
}

/**
 * Size and first `headBytes` bytes of each file, read natively (no libuv round trips per file): undefined
 * for a file it leaves to the caller, and for all when the decoder is not available.
 */
export async function probeFiles(paths: Uint8Array[], headBytes: number, addon = jpegDecoder().addon): Promise<({ size: number; head: Uint8Array } | undefined)[]> {
  if (!addon || !paths.length) return new Array<undefined>(paths.length).fill(undefined)
  const heads = new Uint8Array(paths.length * headBytes)
  const sizes = new Float64Array(paths.length)
  const ok = new Uint8Array(paths.length)
  await addon.probeFiles(paths, heads, sizes, ok)
  return Array.from(ok, (found, i) => (found ? { size: sizes[i], head: heads.subarray(i * headBytes, i * headBytes + Math.min(headBytes, sizes[i])) } : undefined))
}
