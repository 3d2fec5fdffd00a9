/**
 * Folder streaming benchmark: generates (once, cached in /tmp) a folder of 50,000 64x64 JPEGs in 10
 * classes, then streams one training epoch through the folder data set (scan, read, decode, augment,
 * batch) and reports decode throughput and peak memory growth. Memory must stay bounded: the decoded-image
 * cache has a fixed budget, so growth stays under 500 MB whatever the folder size.
 *
 *   npx tsx test/bench/folderDecodeBench.ts [--images 50000]
 */
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { openDataset } from '../../main/data/datasetRegistry'
import { mapLimited } from '../../main/data/folder/folderScan'

export interface FolderBenchResult {
  images: number
  scanSeconds: number
  epochSeconds: number
  imagesPerSecond: number
  peakRssGrowthMB: number
  skipped: number
}

export async function generateFolder(images = 50_000, side = 64, root = `/tmp/cnn-workbench-bench-folder-${images}`): Promise<string> {
  if (existsSync(join(root, 'DONE'))) return root
  const temp = `${root}.partial`
  await rm(temp, { recursive: true, force: true })
  const classes = 10
  for (let c = 0; c < classes; c++) await mkdir(join(temp, `class-${c}`), { recursive: true })
  const pixels = Buffer.alloc(side * side * 3)
  await mapLimited(
    Array.from({ length: images }, (_, i) => i),
    8,
    async (i) => {
      // Smooth gradients with a class-dependent hue and per-image noise: JPEG-typical content, ~2-3 KB each.
      const c = i % classes
      const local = Buffer.from(pixels)
      let state = i * 2654435761
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          state = (state * 1103515245 + 12345) >>> 0
          const n = (state >>> 27) - 16
          const o = (y * side + x) * 3
          local[o] = Math.max(0, Math.min(255, x * 4 + c * 20 + n))
          local[o + 1] = Math.max(0, Math.min(255, y * 4 + n))
          local[o + 2] = Math.max(0, Math.min(255, 255 - c * 25 + n))
        }
      }
      await sharp(local, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 85 }).toFile(join(temp, `class-${c}`, `${i}.jpg`))
    },
  )
  await writeFile(join(temp, 'DONE'), String(images))
  await rm(root, { recursive: true, force: true })
  await rename(temp, root)
  return root
}

export async function benchFolderDecode(images = 50_000, batchSize = 256): Promise<FolderBenchResult> {
  const root = await generateFolder(images)
  global.gc?.()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
  const timer = setInterval(sample, 50)
  const scanStart = performance.now()
  const dataset = await openDataset(`folder:${root}`, {
    seed: 1,
    validationFraction: 0,
    normalize: 'none',
    shuffle: true,
    size: 64,
    augment: { cropPadding: 4, flip: true, brightness: 0.2, contrast: 0.2, pcaNoise: 0 },
  })
  const scanSeconds = (performance.now() - scanStart) / 1000
  const start = performance.now()
  let seen = 0
  for await (const batch of dataset.train.batches(1, batchSize)) {
    seen += batch.size
    sample()
  }
  const epochSeconds = (performance.now() - start) / 1000
  clearInterval(timer)
  return {
    images: seen,
    scanSeconds,
    epochSeconds,
    imagesPerSecond: seen / epochSeconds,
    peakRssGrowthMB: (peak - baseline) / 2 ** 20,
    skipped: dataset.skipped.length,
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = process.argv.indexOf('--images')
  const images = flag > 0 ? Number(process.argv[flag + 1]) : 50_000
  benchFolderDecode(images).then((result) => {
    console.log(
      `folder decode: ${result.images} images (64x64 JPEG, 10 classes) in ${result.epochSeconds.toFixed(1)} s = ${Math.round(result.imagesPerSecond)} images/s; ` +
        `scan ${result.scanSeconds.toFixed(1)} s; peak RSS growth ${result.peakRssGrowthMB.toFixed(0)} MB (limit 500)`,
    )
    if (result.peakRssGrowthMB >= 500) process.exitCode = 1
  })
}
