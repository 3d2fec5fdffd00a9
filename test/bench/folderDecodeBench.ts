/**
 * Folder benchmarks. `npm run bench` prints, for a folder of 4,000 64x64 JPEGs in 10 class folders and for
 * one of large photos (4000x3000 JPEGs of gradients and noise), how fast our folder data set turns every file
 * into a grayscale tensor of the same size as torchvision's ImageFolder + DataLoader(num_workers=2) does
 * (folderDecodeAnchor.py), both from the folder's path (scan included), on a cold decode (no cache).
 *
 * Alone, the streaming check: a folder of 50,000 64x64 JPEGs streamed for one training epoch (scan, read,
 * decode, augment, batch), its throughput and peak memory growth, which must stay under 500 MB (the
 * decoded-image cache has a fixed budget whatever the folder size).
 *
 *   npx tsx test/bench/folderDecodeBench.ts [--images 50000]
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { openDataset } from '../../main/data/datasetRegistry'
import { mapLimited } from '../../main/data/folder/folderScan'
import { findPython } from './benchProcesses'

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

/**
 * A folder of `count` large photos (default 4000x3000) in 10 classes: smooth gradients under fine noise,
 * so that the JPEG decoder has real work (a few MB per file at quality 90). Generated once into /tmp.
 */
export async function generatePhotos(count = 150, width = 4000, height = 3000, root = `/tmp/cnn-workbench-bench-photos-${count}-${width}x${height}`): Promise<string> {
  if (existsSync(join(root, 'DONE'))) return root
  const temp = `${root}.partial`
  await rm(temp, { recursive: true, force: true })
  const classes = 10
  for (let c = 0; c < classes; c++) await mkdir(join(temp, `class-${c}`), { recursive: true })
  await mapLimited(
    Array.from({ length: count }, (_, i) => i),
    2,
    async (i) => {
      const c = i % classes
      const pixels = Buffer.allocUnsafe(width * height * 3)
      let state = (i + 1) * 2654435761
      for (let y = 0, o = 0; y < height; y++) {
        const gy = (y * 255) / height
        for (let x = 0; x < width; x++, o += 3) {
          state = (state * 1103515245 + 12345) >>> 0
          const n = (state >>> 26) - 32
          const gx = (x * 255) / width
          pixels[o] = Math.max(0, Math.min(255, gx + c * 10 + n))
          pixels[o + 1] = Math.max(0, Math.min(255, gy + n))
          pixels[o + 2] = Math.max(0, Math.min(255, 255 - (gx + gy) / 2 + n))
        }
      }
      await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(temp, `class-${c}`, `${i}.jpg`))
    },
  )
  await writeFile(join(temp, 'DONE'), String(count))
  await rm(root, { recursive: true, force: true })
  await rename(temp, root)
  return root
}

/**
 * Every image of the folder as a grayscale `size` x `size` tensor, through our folder data set, from the
 * folder's path: scan, size probe, then both splits streamed once (nothing cached before). Images/s.
 */
export async function oursFolderRate(root: string, size: number): Promise<{ images: number; seconds: number }> {
  const start = performance.now()
  const dataset = await openDataset(`folder:${root}`, { seed: 1, validationFraction: 0, normalize: 'none', shuffle: false, size, channels: 1 })
  let images = 0
  for (const split of [dataset.train, dataset.test]) {
    for await (const batch of split.batches(1, 256)) images += batch.size
  }
  return { images, seconds: (performance.now() - start) / 1000 }
}

/** torchvision's ImageFolder + DataLoader(num_workers=2) on the same folder (folderDecodeAnchor.py), or why not. */
async function torchvisionFolderRate(root: string, size: number): Promise<{ images: number; seconds: number; version: string } | string> {
  const python = await findPython()
  if (!python) return 'PyTorch not found'
  const script = fileURLToPath(new URL('./folderDecodeAnchor.py', import.meta.url))
  try {
    const { stdout } = await promisify(execFile)(python, [script, root, String(size), '2'], { timeout: 20 * 60_000 })
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as { images: number; seconds: number; version: string }
  } catch (error) {
    const text = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? (error as Error).message
    return /No module named 'torchvision'/.test(text) ? 'torchvision not found: apt-get install python3-torchvision' : `torchvision failed: ${text}`
  }
}

/**
 * Reads every file of the folder once, so that both sides decode from the page cache: timed first after the
 * files left it (a new session, another job's reads), ours read the disk and torchvision, right after, the
 * cache (64x64 JPEGs: 0.80x and 0.97x in such runs, 1.45-1.98x warm).
 */
async function readEveryFile(folder: string): Promise<void> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  await mapLimited(entries.filter((entry) => entry.isFile()), 16, async (entry) => void (await readFile(join(entry.parentPath, entry.name))))
}

/** The bench's folder lines: `folder decode <kind>: ours N images/s, torchvision M images/s, ratio Rx`. */
export async function* folderDecodeLines(options: { smallImages?: number; photos?: number } = {}): AsyncGenerator<string> {
  const kinds = [
    { kind: `64x64 JPEG (${options.smallImages ?? 4000} images, 10 classes) to 28x28 grayscale`, root: () => generateFolder(options.smallImages ?? 4000), size: 28 },
    { kind: `4000x3000 JPEG photos (${options.photos ?? 150}, 10 classes) to 96x96 grayscale`, root: () => generatePhotos(options.photos ?? 150), size: 96 },
  ]
  for (const { kind, root, size } of kinds) {
    const folder = await root()
    await readEveryFile(folder)
    const ours = await oursFolderRate(folder, size)
    const theirs = await torchvisionFolderRate(folder, size)
    const oursRate = ours.images / ours.seconds
    const theirsRate = typeof theirs === 'string' ? undefined : theirs.images / theirs.seconds
    yield `folder decode ${kind}: ours ${Math.round(oursRate)} images/s, torchvision ${theirsRate ? Math.round(theirsRate) : '-'} images/s, ratio ${theirsRate ? `${(oursRate / theirsRate).toFixed(2)}x` : '-'}` +
      `${typeof theirs === 'string' ? ` (${theirs})` : ` (torchvision ${theirs.version}, DataLoader num_workers=2)`}`
  }
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
