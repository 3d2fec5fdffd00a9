/**
 * How far the native JPEG path (main/data/folder/jpegFastPath.ts) lands from sharp's decode of the same
 * files, for the README's "folder decode" notes: max and mean absolute difference per pixel value, on
 * MNIST digits saved as JPEG, the folder bench's generated 64x64 JPEGs, its 4000x3000 photos and any
 * other JPEGs named on the command line (real photos), each at a few targets.
 *
 *   npx tsx test/bench/jpegParity.ts [photo.jpg ...]
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { loadMnist } from '../../main/data/sources/mnist'
import { decodeWithSharp, MAX_INPUT_PIXELS, type DecodeTarget } from '../../main/data/folder/imageFiles'
import { decodeJpegBatch, jpegDecoder } from '../../main/data/folder/jpegFastPath'
import { generateFolder, generatePhotos } from './folderDecodeBench'

interface Difference {
  max: number
  sum: number
  values: number
  images: number
  refused: number
}

async function compare(files: Uint8Array[], target: DecodeTarget, into: Difference): Promise<void> {
  const native = await decodeJpegBatch(files, target, MAX_INPUT_PIXELS)
  for (const [i, pixels] of native.pixels.entries()) {
    if (!pixels) {
      into.refused++
      continue
    }
    const reference = await decodeWithSharp(files[i], target)
    for (let k = 0; k < pixels.length; k++) {
      const d = Math.abs(pixels[k] - reference[k])
      into.max = Math.max(into.max, d)
      into.sum += d
    }
    into.values += pixels.length
    into.images++
  }
}

async function mnistJpegs(count: number, channels: 1 | 3): Promise<Uint8Array[]> {
  const { train } = await loadMnist()
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const digit = Buffer.from(train.images.subarray(i * 784, (i + 1) * 784).map((v: number) => 255 - v))
      const image = sharp(digit, { raw: { width: 28, height: 28, channels: 1 } })
      return (channels === 3 ? image.toColourspace('srgb') : image).jpeg({ quality: 90 }).toBuffer()
    }),
  )
}

async function filesOf(root: string, count: number, classes = 10): Promise<Uint8Array[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => readFile(join(root, `class-${i % classes}`, `${i}.jpg`))))
}

const targets = (sizes: [number, number, 1 | 3][]): DecodeTarget[] => sizes.map(([height, width, channels]) => ({ height, width, channels }))

async function main(): Promise<void> {
  console.log(`native JPEG decoder: ${jpegDecoder().reason}`)
  const sets: { name: string; files: () => Promise<Uint8Array[]>; targets: DecodeTarget[] }[] = [
    { name: 'MNIST digits as grey JPEG', files: () => mnistJpegs(500, 1), targets: targets([[28, 28, 1], [20, 20, 1], [32, 32, 3], [64, 64, 1]]) },
    { name: 'MNIST digits as colour JPEG', files: () => mnistJpegs(200, 3), targets: targets([[28, 28, 1], [32, 32, 3]]) },
    { name: "bench's 64x64 JPEGs", files: async () => filesOf(await generateFolder(1000), 500), targets: targets([[28, 28, 1], [32, 32, 3], [64, 64, 3], [96, 96, 1]]) },
    { name: "bench's 4000x3000 photos", files: async () => filesOf(await generatePhotos(20), 10), targets: targets([[28, 28, 1], [96, 96, 3], [224, 224, 3]]) },
  ]
  const photos = process.argv.slice(2)
  if (photos.length) sets.push({ name: 'photos', files: () => Promise.all(photos.map((f) => readFile(f))), targets: targets([[28, 28, 1], [96, 96, 3], [224, 224, 3], [300, 400, 3]]) })
  for (const set of sets) {
    const files = await set.files()
    for (const target of set.targets) {
      const d: Difference = { max: 0, sum: 0, values: 0, images: 0, refused: 0 }
      await compare(files, target, d)
      const mean = d.values ? (d.sum / d.values).toFixed(3) : 'n/a'
      console.log(`${set.name} -> ${target.height}x${target.width}x${target.channels}: max ${d.max}, mean ${mean} (${d.images} images${d.refused ? `, ${d.refused} left to sharp` : ''})`)
    }
  }
}

await main()
