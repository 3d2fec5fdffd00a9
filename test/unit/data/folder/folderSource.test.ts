import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { SkippedFile } from '../../../../shared/api/schemas'
import { scanFolder, type FolderEntry } from '../../../../main/data/folder/folderScan'
import { FolderBatchSource, ImageCache } from '../../../../main/data/folder/folderSource'
import { decodeConcurrency } from '../../../../main/data/folder/imageFiles'
import { ImagePipeline } from '../../../../main/data/pipeline/imagePipeline'
import { noise } from '../../../helpers/dataFixtures'

/**
 * Decoding many files at once (decodeConcurrency: two per libuv thread) gives the very tensors one at a time
 * does, in the same order, with the same files reported: small and large JPEGs (the large ones shrunk on
 * load), PNGs, WebP and a truncated file, through the augmenting pipeline.
 */
async function mixedFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'folder-parallel-'))
  for (let c = 0; c < 3; c++) {
    const dir = join(root, `class-${c}`)
    await mkdir(dir)
    for (let i = 0; i < 14; i++) {
      const seed = c * 100 + i
      // Every fifth a photo-sized JPEG (shrink-on-load at 1/8), the others small images of several formats.
      const [w, h] = i % 5 === 0 ? [1280, 960] : [20 + i, 16 + c]
      const image = sharp(noise(w, h, 3, seed), { raw: { width: w, height: h, channels: 3 } })
      const format = i % 3 === 0 ? image.png() : i % 3 === 1 ? image.webp() : image.jpeg()
      await format.toFile(join(dir, `${i}.${i % 3 === 0 ? 'png' : i % 3 === 1 ? 'webp' : 'jpg'}`))
    }
  }
  const whole = await sharp(noise(64, 64, 3, 9), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer()
  await writeFile(join(root, 'class-1', 'truncated.jpg'), whole.subarray(0, whole.length / 2))
  return root
}

async function epoch(entries: FolderEntry[], concurrency: number) {
  const skipped: SkippedFile[] = []
  const pipeline = new ImagePipeline({ fromChannels: 1, toChannels: 1, height: 12, width: 12, augment: { cropPadding: 2, flip: true, brightness: 0.2, contrast: 0.2, pcaNoise: 0 } })
  const source = new FolderBatchSource(entries, {
    target: { height: 12, width: 12, channels: 1 },
    pipeline,
    seed: 3,
    shuffle: true,
    augment: true,
    cache: new ImageCache(0),
    cacheKeyBase: 0,
    onSkip: (file) => skipped.push(file),
    concurrency,
  })
  const batches = []
  for await (const batch of source.batches(1, 16)) batches.push({ images: Array.from(batch.images), labels: Array.from(batch.labels) })
  return { batches, skipped }
}

describe('parallel folder decoding', () => {
  let entries: FolderEntry[]
  beforeAll(async () => {
    const scan = await scanFolder(await mixedFolder(), 1)
    entries = [...scan.train, ...scan.test]
  }, 60_000)

  it('gives the same tensors, labels and skipped files as decoding one file at a time', async () => {
    const sequential = await epoch(entries, 1)
    const parallel = await epoch(entries, Math.max(16, decodeConcurrency()))
    expect(sequential.batches.flatMap((b) => b.labels)).toHaveLength(entries.length - 1)
    expect(sequential.skipped.map((s) => s.file)).toEqual(['class-1/truncated.jpg'])
    expect(parallel.skipped).toEqual(sequential.skipped)
    expect(parallel.batches).toEqual(sequential.batches)
  }, 60_000)

  it('keeps at least two files in flight per libuv thread', () => {
    expect(decodeConcurrency()).toBeGreaterThanOrEqual(8)
  })
})
