import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { FolderEntry } from '../../../../main/data/folder/folderScan'

// Counts whole-file reads; the header reads go through readRegularFileHead.
const wholeReads = vi.hoisted(() => ({ paths: [] as string[] }))
vi.mock('../../../../main/storage/regularFile', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../../main/storage/regularFile')>()
  return {
    ...original,
    readRegularFile: (path: string | Buffer, ...rest: [number?, object?]) => {
      wholeReads.paths.push(String(path))
      return original.readRegularFile(path, ...rest)
    },
  }
})

const { HEADER_BYTES, probeHeader, probeSizes } = await import('../../../../main/data/folder/sizeProbe')

/** A JPEG with `bytes` of comment segments between its start and its frame header. */
function withLeadingComments(jpeg: Buffer, bytes: number): Buffer {
  const segments: Buffer[] = []
  for (let left = bytes; left > 0; left -= 65_000) {
    const body = Math.min(65_000, left)
    const segment = Buffer.alloc(4 + body, 0x20)
    segment.writeUInt16BE(0xfffe, 0)
    segment.writeUInt16BE(body + 2, 2)
    segments.push(segment)
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)])
}

describe('probeSizes', () => {
  const files: Record<string, { entry: FolderEntry; size: [number, number] }> = {}
  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'size-probe-'))
    const image = async (w: number, h: number, encode: (image: Sharp) => Sharp) => {
      const pixels = await sharp({ create: { width: w, height: h, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).raw().toBuffer()
      return encode(sharp(pixels, { raw: { width: w, height: h, channels: 3 } })).toBuffer()
    }
    const made: Record<string, [Buffer, number, number]> = {
      'photo.jpg': [await image(1600, 1200, (s) => s.jpeg({ quality: 95 })), 1600, 1200],
      'late-frame.jpg': [withLeadingComments(await image(30, 20, (s) => s.jpeg()), 2 * HEADER_BYTES), 30, 20],
      'big.png': [await image(400, 300, (s) => s.png()), 400, 300],
      'big.webp': [await image(700, 500, (s) => s.webp({ quality: 100 })), 700, 500],
      'big.tif': [await image(300, 260, (s) => s.tiff({ compression: 'none' })), 300, 260],
      'small.gif': [await image(40, 30, (s) => s.gif()), 40, 30],
    }
    for (const [name, [bytes, w, h]] of Object.entries(made)) {
      await writeFile(join(root, name), bytes)
      files[name] = { entry: { path: Buffer.from(join(root, name)), display: name, label: 0, bytes: bytes.length }, size: [h, w] }
    }
    for (const name of ['photo.jpg', 'late-frame.jpg', 'big.png', 'big.webp', 'big.tif']) expect(made[name][0].length, name).toBeGreaterThan(HEADER_BYTES)
  }, 60_000)

  it('reads a JPEG or PNG header from the first bytes only, never the whole file', async () => {
    wholeReads.paths.length = 0
    for (const name of ['photo.jpg', 'big.png']) expect(await probeHeader(files[name].entry), name).toEqual(files[name].size)
    expect(wholeReads.paths).toEqual([])
  })

  it('reads the whole file when its header is not complete in the first bytes', async () => {
    wholeReads.paths.length = 0
    const names = ['late-frame.jpg', 'big.webp', 'big.tif']
    for (const name of [...names, 'small.gif']) expect(await probeHeader(files[name].entry), name).toEqual(files[name].size)
    // The small GIF was whole within the first bytes: not read twice.
    expect(wholeReads.paths.map((path) => path.split('/').at(-1))).toEqual(names)
  })

  it('tallies the sizes of a sample', async () => {
    const probe = await probeSizes([files['photo.jpg'].entry, files['big.png'].entry, files['photo.jpg'].entry], 1)
    expect(probe.common).toEqual([256, 256])
    expect(probe.range).toBe('400x300 to 1600x1200 (mostly 1600x1200; 3 sampled)')
  })
})
