import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp, { type JpegOptions } from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage, decodeImages, decodeWithSharp, ImageDecodeError, MAX_INPUT_PIXELS, type DecodeTarget } from '../../../../main/data/folder/imageFiles'
import { decodeJpegBatch, decodeJpegFiles, jpegDecoder, probeFiles } from '../../../../main/data/folder/jpegFastPath'
import { noise } from '../../../helpers/dataFixtures'

/**
 * The native JPEG path (libjpeg-turbo) against sharp's decode of the same files, on photo-like gradients
 * (every value within 2, mean within 0.45) and pure noise, the worst case for two resamplers (within 6,
 * mean 1.5): odd sizes, shrink-on-load at 1/2, 1/4 and 1/8, enlarging, grey and colour sources and
 * targets (README "folder decode" has the figures on digits, photos and the bench's images). Files it must not decode (EXIF-rotated, CMYK, an ICC profile, truncated) go
 * to sharp: same pixels, same reasons. Skips without the addon, except under WORKBENCH_REQUIRE_NATIVE (CI).
 */
const BOUNDS = { smooth: { max: 2, mean: 0.45 }, noise: { max: 6, mean: 1.5 } }

const decoder = jpegDecoder()
if (!decoder.addon) {
  if (process.env.WORKBENCH_REQUIRE_NATIVE) throw new Error(`the native JPEG decoder is required here (WORKBENCH_REQUIRE_NATIVE) but is ${decoder.reason}`)
  console.log(`skipping jpegFastPath.test.ts: the native JPEG decoder is ${decoder.reason}`)
}

/** Smooth colour gradients with a little noise (photo-like), w x h x 3. */
function gradient(w: number, h: number, seed: number): Buffer {
  const grain = noise(w, h, 3, seed)
  const out = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3
      out[o] = Math.min(255, (x * 255) / w + grain[o] / 16)
      out[o + 1] = Math.min(255, (y * 255) / h + grain[o + 1] / 16)
      out[o + 2] = Math.min(255, 255 - ((x + y) * 127) / (w + h) + grain[o + 2] / 16)
    }
  }
  return out
}

async function jpeg(pixels: Buffer, w: number, h: number, channels: 1 | 3, options: JpegOptions = {}): Promise<Buffer> {
  return sharp(pixels, { raw: { width: w, height: h, channels } }).jpeg(options).toBuffer()
}

/** Grey sources are the gradient's first band. */
const grey = (rgb: Buffer) => Buffer.from(rgb.filter((_, i) => i % 3 === 0))

async function cases(): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; bytes: Buffer }[] = []
  for (const [w, h, seed] of [
    [64, 64, 1],
    [33, 50, 2],
    [720, 477, 3],
    [1280, 960, 4],
  ]) {
    const smooth = gradient(w, h, seed)
    out.push({ name: `colour ${w}x${h}`, bytes: await jpeg(smooth, w, h, 3) })
    out.push({ name: `colour 4:4:4 progressive ${w}x${h}`, bytes: await jpeg(smooth, w, h, 3, { chromaSubsampling: '4:4:4', progressive: true }) })
    out.push({ name: `grey ${w}x${h}`, bytes: await jpeg(grey(smooth), w, h, 1) })
    out.push({ name: `noise ${w}x${h}`, bytes: await jpeg(noise(w, h, 3, seed), w, h, 3, { quality: 95 }) })
  }
  return out
}

const targets: DecodeTarget[] = [
  { height: 28, width: 28, channels: 1 },
  { height: 12, width: 12, channels: 3 },
  { height: 32, width: 20, channels: 3 },
  { height: 96, width: 96, channels: 1 },
  { height: 224, width: 224, channels: 3 },
]

describe.skipIf(!decoder.addon)('native JPEG decoding', () => {
  it('stays within the bounds of sharp for every file and target, all decoded natively', async () => {
    const files = await cases()
    const report: string[] = []
    for (const target of targets) {
      const native = await decodeJpegBatch(files.map((f) => f.bytes), target, MAX_INPUT_PIXELS)
      expect(native.outcomes.filter((o) => o !== 'decoded'), `${target.height}x${target.width}`).toEqual([])
      for (const [i, file] of files.entries()) {
        const reference = await decodeWithSharp(file.bytes, target)
        const pixels = native.pixels[i]!
        let max = 0
        let sum = 0
        for (let k = 0; k < reference.length; k++) {
          const d = Math.abs(pixels[k] - reference[k])
          max = Math.max(max, d)
          sum += d
        }
        const bound = file.name.startsWith('noise') ? BOUNDS.noise : BOUNDS.smooth
        if (max > bound.max || sum / reference.length > bound.mean) {
          report.push(`${file.name} to ${target.height}x${target.width}x${target.channels}: max ${max}, mean ${(sum / reference.length).toFixed(3)}`)
        }
      }
    }
    expect(report).toEqual([])
  }, 120_000)

  it('leaves EXIF-rotated, CMYK and ICC-profiled JPEGs to sharp, which decodes them as before', async () => {
    const pixels = gradient(40, 24, 5)
    const files = {
      'EXIF orientation': await sharp(pixels, { raw: { width: 40, height: 24, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
      'not 8-bit grey or YCbCr': await sharp(pixels, { raw: { width: 40, height: 24, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer(),
      'ICC profile': await sharp(pixels, { raw: { width: 40, height: 24, channels: 3 } }).jpeg().withIccProfile('p3').toBuffer(),
    }
    const target: DecodeTarget = { height: 16, width: 10, channels: 3 }
    const native = await decodeJpegBatch(Object.values(files), target, MAX_INPUT_PIXELS)
    expect(native.outcomes).toEqual(Object.keys(files))
    for (const bytes of Object.values(files)) expect(await decodeImage(bytes, target)).toEqual(await decodeWithSharp(bytes, target))
    // Rotated by sharp: the 40x24 landscape stands upright, its bright right edge (red ramp) now at the bottom.
    const rotated = await decodeImage(files['EXIF orientation'], target)
    expect(rotated[(15 * 10 + 5) * 3]).toBeGreaterThan(rotated[5 * 3] + 100)
  })

  it('gives a truncated or broken JPEG the reason sharp gives, and decodes the good files beside it', async () => {
    const whole = await jpeg(gradient(64, 64, 6), 64, 64, 3)
    const truncated = whole.subarray(0, whole.length / 2)
    const headerOnly = whole.subarray(0, 200)
    const png = await sharp(gradient(8, 8, 7), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer()
    const target: DecodeTarget = { height: 12, width: 12, channels: 1 }
    const native = await decodeJpegBatch([truncated, headerOnly], target, MAX_INPUT_PIXELS)
    expect(native.outcomes).toEqual(['libjpeg warning or error', 'libjpeg warning or error'])
    const results = await decodeImages([whole, truncated, png, headerOnly], target)
    const reason = (bytes: Uint8Array) => decodeWithSharp(bytes, target).then(() => 'decoded', (error: ImageDecodeError) => error.reason)
    expect(results[0]).toEqual((await decodeJpegBatch([whole], target, MAX_INPUT_PIXELS)).pixels[0])
    expect(results[2]).toEqual(await decodeWithSharp(png, target))
    expect((results[1] as ImageDecodeError).reason).toBe(await reason(truncated))
    expect((results[3] as ImageDecodeError).reason).toBe(await reason(headerOnly))
    expect((results[1] as ImageDecodeError).reason).toBe('corrupt or truncated (the image data ends early or is damaged)')
  })

  it("shrinks on load by sharp's rule: 1/2, 1/4, 1/8 where the shrink reaches it, one step less at its whole value", () => {
    const factor = (w: number, h: number, tw: number, th: number) => decoder.addon!.shrinkFactor(w, h, tw, th)
    expect([factor(64, 64, 28, 28), factor(64, 64, 20, 20), factor(64, 64, 15, 15), factor(64, 64, 12, 12)]).toEqual([1, 2, 2, 4])
    expect([factor(4000, 3000, 96, 96), factor(4000, 3000, 375, 375), factor(4000, 3000, 333, 333), factor(4000, 3000, 4000, 3000)]).toEqual([8, 4, 8, 1])
  })

  it('refuses a target it cannot fill, in words', () => {
    expect(() => decoder.addon!.decodeBatch([], new Uint8Array(0), Int32Array.of(0, 1, 1, 1, 0), new Uint8Array(0))).toThrow(/at least 1x1 with 1 or 3 channels/)
    expect(() => decoder.addon!.decodeBatch([new Uint8Array(4)], new Uint8Array(3), Int32Array.of(2, 2, 1, 1, 0), new Uint8Array(1))).toThrow(/out has 3 bytes, expected 4/)
  })

  it('reads files itself to the same pixels, and leaves a FIFO, a PNG, a file over the limit and a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jpeg-files-'))
    const jpg = await jpeg(gradient(50, 40, 8), 50, 40, 3)
    const png = await sharp(gradient(8, 8, 9), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer()
    await writeFile(join(dir, 'a.jpg'), jpg)
    await writeFile(join(dir, 'b.png'), png)
    execFileSync('mkfifo', [join(dir, 'fifo.jpg')])
    const paths = ['a.jpg', 'b.png', 'fifo.jpg', 'missing.jpg'].map((name) => Buffer.from(join(dir, name)))
    const target: DecodeTarget = { height: 20, width: 10, channels: 3 }
    const files = await decodeJpegFiles(paths, target, MAX_INPUT_PIXELS, 1 << 20)
    expect(files.outcomes).toEqual(['decoded', 'not read here', 'not read here', 'not read here'])
    expect(files.pixels[0]).toEqual((await decodeJpegBatch([jpg], target, MAX_INPUT_PIXELS)).pixels[0])
    const small = await decodeJpegFiles(paths.slice(0, 1), target, MAX_INPUT_PIXELS, jpg.length - 1)
    expect(small.outcomes).toEqual(['not read here'])
    const probed = await probeFiles(paths, 16)
    expect(probed[0]).toEqual({ size: jpg.length, head: new Uint8Array(jpg.subarray(0, 16)) })
    expect(probed[1]).toEqual({ size: png.length, head: new Uint8Array((await readFile(join(dir, 'b.png'))).subarray(0, 16)) })
    expect(probed.slice(2)).toEqual([undefined, undefined])
  })
})
