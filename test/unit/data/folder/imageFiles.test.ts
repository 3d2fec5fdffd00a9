import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeImage, decodeWithSharp, ImageDecodeError, MAX_INPUT_PIXELS, type DecodeTarget } from '../../../../main/data/folder/imageFiles'
import { noise } from '../../../helpers/dataFixtures'

/**
 * decodeImage's sharp path takes fewer libvips operations per image than it used to (a grey result stays
 * grey to the end; the operation cache is off): the bytes must be those of the pipeline it replaced,
 * written out here as it was, for every kind of file a folder holds: PNG (colour, grey, alpha, 16-bit),
 * WebP, JPEG small and photo-sized (shrunk on load), grey JPEG, to grey and to colour targets of several
 * sizes. (Most JPEGs now decode natively, held to this path in jpegFastPath.test.ts; the rest, exactly.)
 */
async function previousDecode(bytes: Uint8Array, target: DecodeTarget): Promise<Buffer> {
  let image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', pages: 1 }).rotate().flatten({ background: '#000000' })
  image = target.channels === 1 ? image.grayscale() : image.toColourspace('srgb')
  return image.resize(target.width, target.height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: true }).removeAlpha().raw({ depth: 'uchar' }).toBuffer()
}

interface Sample {
  name: string
  bytes: Buffer
}

async function samples(): Promise<Sample[]> {
  const out: Sample[] = []
  const raw = (w: number, h: number, c: 1 | 2 | 3 | 4, seed: number) => sharp(noise(w, h, c, seed), { raw: { width: w, height: h, channels: c } })
  for (const [w, h, seed] of [
    [20, 17, 1],
    [64, 64, 2],
    [33, 50, 3],
  ]) {
    out.push({ name: `jpeg ${w}x${h}`, bytes: await raw(w, h, 3, seed).jpeg().toBuffer() })
    out.push({ name: `grey jpeg ${w}x${h}`, bytes: await raw(w, h, 1, seed).jpeg().toBuffer() })
    out.push({ name: `png ${w}x${h}`, bytes: await raw(w, h, 3, seed).png().toBuffer() })
    out.push({ name: `grey png ${w}x${h}`, bytes: await raw(w, h, 1, seed).png().toBuffer() })
    out.push({ name: `rgba png ${w}x${h}`, bytes: await raw(w, h, 4, seed).png().toBuffer() })
    out.push({ name: `grey+alpha png ${w}x${h}`, bytes: await raw(w, h, 2, seed).png().toBuffer() })
    out.push({ name: `16-bit grey png ${w}x${h}`, bytes: await raw(w, h, 1, seed).toColourspace('grey16').png().toBuffer() })
    out.push({ name: `webp ${w}x${h}`, bytes: await raw(w, h, 3, seed).webp().toBuffer() })
  }
  // Photo-sized JPEGs: libjpeg shrinks them on load (1/8 for a 12 px target) before the resize.
  out.push({ name: 'jpeg 1280x960', bytes: await raw(1280, 960, 3, 7).jpeg().toBuffer() })
  out.push({ name: 'grey jpeg 1280x960', bytes: await raw(1280, 960, 1, 8).jpeg().toBuffer() })
  out.push({ name: 'rotated jpeg', bytes: await raw(40, 24, 3, 9).jpeg().withMetadata({ orientation: 6 }).toBuffer() })
  return out
}

const targets: DecodeTarget[] = [
  { height: 12, width: 12, channels: 1 },
  { height: 12, width: 12, channels: 3 },
  { height: 28, width: 20, channels: 1 },
  { height: 32, width: 32, channels: 3 },
]

describe('decodeImage', () => {
  let files: Sample[]
  beforeAll(async () => {
    files = await samples()
  }, 60_000)

  it('gives the bytes of the pipeline it replaced for every format, colour type and target (sharp path)', async () => {
    const differing: string[] = []
    for (const file of files) {
      for (const target of targets) {
        const [now, before] = await Promise.all([decodeWithSharp(file.bytes, target), previousDecode(file.bytes, target)])
        expect(now.length, file.name).toBe(target.height * target.width * target.channels)
        if (!Buffer.from(now).equals(before)) differing.push(`${file.name} to ${target.width}x${target.height}x${target.channels}`)
      }
    }
    expect(differing).toEqual([])
  }, 60_000)

  it('still refuses a truncated JPEG, with the same reason however many images decode beside it', async () => {
    const whole = await sharp(noise(64, 64, 3, 9), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer()
    const truncated = whole.subarray(0, whole.length / 2)
    const reasons = new Set<string>()
    for (const channels of [1, 3] as const) {
      const target = { height: 12, width: 12, channels }
      // Truncated and whole files at once: libvips words the truncation one way or another by timing.
      const outcomes = await Promise.all(Array.from({ length: 48 }, (_, i) => decodeImage(i % 2 ? whole : truncated, target).catch((e: unknown) => e)))
      outcomes.forEach((outcome, i) => {
        if (i % 2) return expect(outcome).toBeInstanceOf(Uint8Array)
        expect(outcome).toBeInstanceOf(ImageDecodeError)
        reasons.add((outcome as ImageDecodeError).reason)
      })
    }
    expect([...reasons]).toEqual(['corrupt or truncated (the image data ends early or is damaged)'])
  })
})
