import { describe, expect, it, beforeAll } from 'vitest'
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describeOpened, openDataset, sampleImages } from '../../../main/data/datasetRegistry'
import { scanFolder } from '../../../main/data/folder/folderScan'
import { ImageCache } from '../../../main/data/folder/folderSource'
import { bombPng, noise } from '../../helpers/dataFixtures'

const open = (root: string, extra: Partial<Parameters<typeof openDataset>[1]> = {}) =>
  openDataset(`folder:${root}`, { seed: 1, validationFraction: 0, normalize: 'none', shuffle: true, size: 12, stats: true, ...extra })

async function rgb(width: number, height: number, seed: number) {
  return sharp(noise(width, height, 3, seed), { raw: { width, height, channels: 3 } })
}

/** Every kind of trouble in one folder, beside good images of mixed sizes and modes. */
async function messyFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'folder-ds-'))
  for (const name of ['cat', 'dog', 'empty', 'only-junk']) await mkdir(join(root, name))
  for (let i = 0; i < 5; i++) await (await rgb(20 + i, 16, i)).jpeg().toFile(join(root, 'cat', `cat${i}.jpg`))
  const dog = join(root, 'dog')
  await (await rgb(30, 30, 11)).toColourspace('cmyk').jpeg().toFile(join(dog, 'cmyk.jpg'))
  await (await rgb(24, 24, 12)).toColourspace('rgb16').png().toFile(join(dog, 'sixteen-bit.png'))
  await sharp({ create: { width: 18, height: 18, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png().toFile(join(dog, 'alpha.png'))
  await (await rgb(22, 22, 13)).png({ palette: true }).toFile(join(dog, 'palette.png'))
  await (await rgb(16, 16, 14)).gif().toFile(join(dog, 'anim.gif'))
  await (await rgb(16, 16, 15)).webp().toFile(join(dog, 'photo.webp'))
  await sharp(noise(16, 16, 1, 16), { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(join(dog, 'gray.png'))
  // Trouble:
  const big = await (await rgb(200, 200, 17)).jpeg().toBuffer()
  await writeFile(join(dog, 'truncated.jpg'), big.subarray(0, big.length / 2))
  await writeFile(join(dog, 'not-really.png'), 'this is text, not a PNG')
  await writeFile(join(dog, 'notes.txt'), 'eggs, milk')
  await writeFile(join(dog, 'zero.jpg'), '')
  await writeFile(join(dog, 'bomb.png'), await bombPng())
  await symlink('..', join(dog, 'loop'))
  await writeFile(join(root, 'only-junk', 'readme.md'), '# nothing here')
  await writeFile(join(root, 'stray.jpg'), big)
  // A name that is not valid UTF-8 (Latin-1 "é"): read by its bytes.
  writeFileSync(Buffer.concat([Buffer.from(join(root, 'cat')), Buffer.from([0x2f, 0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67])]), await (await rgb(16, 16, 18)).png().toBuffer())
  return root
}

describe('folder data sets', () => {
  let root: string
  beforeAll(async () => {
    root = await messyFolder()
  })

  it('reads classes and images, and lists every file left out with its name and reason', async () => {
    const description = await describeOpened(await open(root))
    expect(description.classNames).toEqual(['cat', 'dog'])
    const reasons = Object.fromEntries(description.skipped.map((s) => [s.file, s.reason]))
    expect(reasons['dog/notes.txt']).toMatch(/not an image \(\.txt file\)/)
    expect(reasons['dog/not-really.png']).toMatch(/named like an image, but its contents are not/)
    expect(reasons['dog/zero.jpg']).toMatch(/empty file/)
    expect(reasons['dog/truncated.jpg']).toMatch(/corrupt or truncated/)
    expect(reasons['dog/bomb.png']).toMatch(/megapixels.*refused without decoding/)
    expect(reasons['dog/loop/']).toMatch(/symbolic link loop/)
    expect(reasons['empty/']).toMatch(/class folder has no usable images/)
    expect(reasons['only-junk/']).toMatch(/class folder has no usable images/)
    expect(reasons['stray.jpg']).toMatch(/not inside a class folder/)
    // The statistics pass and the split decode a file each: it is listed once.
    expect(new Set(description.skipped.map((s) => s.file)).size).toBe(description.skipped.length)
    expect(description.warnings.some((w) => /caf\uFFFD\.png/.test(w.file) && /not valid UTF-8/.test(w.reason))).toBe(true)
    // 6 cats (one with a Latin-1 name) and 7 good dogs (CMYK, 16-bit, alpha, palette, GIF, WebP, gray): all kept.
    const kept = description.classCounts.train.map((n, i) => n + description.classCounts.test[i])
    expect(kept).toEqual([6, 7])
    expect(description.imageShape).toEqual([12, 12, 3])
    expect(description.mean).toHaveLength(3)
  })

  it('streams batches of decoded, resized images; a file failing to decode is dropped and reported once', async () => {
    const skipped: string[] = []
    const dataset = await open(root, { stats: false, onSkip: (file) => skipped.push(file.file) })
    let seen = 0
    for (let epoch = 1; epoch <= 2; epoch++) {
      for await (const batch of dataset.train.batches(epoch, 4)) {
        expect(batch.images.length).toBe(batch.size * 12 * 12 * 3)
        expect(batch.images.every((v) => v >= 0 && v <= 1)).toBe(true)
        seen += batch.size
      }
    }
    expect(skipped.filter((file) => file === 'dog/truncated.jpg').length).toBeLessThanOrEqual(1)
    expect(seen).toBeGreaterThan(0)
  })

  it('gives the same order and augmentation for the same seed and epoch', async () => {
    const augment = { cropPadding: 2, flip: true, brightness: 0.2, contrast: 0.2, pcaNoise: 0.1 }
    const collect = async () => {
      const dataset = await open(root, { augment })
      const out: number[] = []
      for await (const batch of dataset.train.batches(3, 5)) out.push(...batch.labels, ...batch.images.subarray(0, 20))
      return out
    }
    expect(await collect()).toEqual(await collect())
  })

  it('splits train/ and test/ folders as given, and seeds the split otherwise', async () => {
    const layout = await mkdtemp(join(tmpdir(), 'folder-tt-'))
    for (const split of ['train', 'test']) {
      for (const name of ['a', 'b']) {
        await mkdir(join(layout, split, name), { recursive: true })
        for (let i = 0; i < (split === 'train' ? 4 : 2); i++) await (await rgb(10, 10, i)).png().toFile(join(layout, split, name, `${i}.png`))
      }
    }
    const scan = await scanFolder(layout)
    expect(scan.layout).toBe('train-test')
    expect([scan.train.length, scan.test.length]).toEqual([8, 4])
    const first = await scanFolder(root, 5)
    const again = await scanFolder(root, 5)
    expect(first.test.map((e) => e.display)).toEqual(again.test.map((e) => e.display))
  })

  it('refuses an empty folder and a missing one, naming them', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'folder-empty-'))
    await expect(open(empty)).rejects.toThrow(`${empty}: has no class subfolders`)
    await expect(open(join(empty, 'nope'))).rejects.toThrow(/nope: no such folder/)
  })

  it('keeps decoded images within the cache budget', () => {
    const cache = new ImageCache(1000)
    for (let i = 0; i < 50; i++) cache.set(i, new Uint8Array(100))
    expect(cache.bytes).toBeLessThanOrEqual(1000)
    expect(cache.get(49)).toBeDefined()
    expect(cache.get(0)).toBeUndefined()
  })

  it('gives previews before and after augmentation', async () => {
    const dataset = await open(root, { augment: { cropPadding: 3, flip: true, brightness: 0.3, contrast: 0.3, pcaNoise: 0 } })
    const samples = await sampleImages(dataset, 6, 1)
    expect(samples.length).toBeGreaterThan(0)
    expect(samples[0].original.pixels).toHaveLength(12 * 12 * 3)
    expect(samples.some((s) => s.original.pixels.join() !== s.augmented.pixels.join())).toBe(true)
  })
})

describe('decode error wording', () => {
  it('calls a damaged image damaged, whichever way libvips reports it', async () => {
    const { describeSharpError } = await import('../../../main/data/folder/imageFiles')
    for (const message of ['VipsJpeg: Premature end of JPEG file', 'Warning treated as error due to failOn setting', 'Input buffer has corrupt header']) {
      expect(describeSharpError(new Error(message))).toMatch(/^corrupt or truncated/)
    }
    expect(describeSharpError(new Error('Input buffer contains unsupported image format'))).toBe('not an image format that can be decoded')
    // A truncated JPEG is reported one way or the other from run to run: the same reason for both.
    expect(describeSharpError(new Error('VipsJpeg: premature end of JPEG image'))).toBe(describeSharpError(new Error('Warning treated as error due to failOn setting')))
  })
})
