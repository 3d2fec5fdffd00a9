import { readRegularFile, readRegularFileHead } from '../../storage/regularFile'
import { createRandom, shuffledIndices } from '../pipeline/seededRandom'
import { mapLimited, type FolderEntry } from './folderScan'
import { MAX_FILE_BYTES, readImageHeader } from './imageFiles'

/** Bytes read for a header: a JPEG's or PNG's size sits in its first few hundred bytes, after EXIF at most. */
export const HEADER_BYTES = 64 * 1024

/**
 * The size stored in one file's header, from its first HEADER_BYTES only; a file whose header is not
 * complete there (a WebP, GIF or TIFF read in part, a JPEG with large metadata before its frame) is read
 * whole, as before.
 */
export async function probeHeader(entry: FolderEntry): Promise<[number, number]> {
  const { head, size } = await readRegularFileHead(entry.path, HEADER_BYTES, MAX_FILE_BYTES, { scanned: true })
  let header
  try {
    header = await readImageHeader(head)
  } catch (error) {
    if (size <= head.length) throw error
    header = await readImageHeader(await readRegularFile(entry.path, MAX_FILE_BYTES, { scanned: true }))
  }
  return [header.height, header.width]
}

/** The most common stored size among a seeded sample of headers (capped at 256), and the range seen. */
export async function probeSizes(entries: FolderEntry[], seed: number): Promise<{ common: [number, number]; range: string }> {
  const order = shuffledIndices(entries.length, createRandom(seed ^ 0x5eed))
  const sample = Array.from(order.subarray(0, 200), (i) => entries[i])
  const sizes = await mapLimited(sample, 16, async (entry) => {
    try {
      return await probeHeader(entry)
    } catch {
      return undefined
    }
  })
  const found = sizes.filter((size): size is [number, number] => !!size)
  if (!found.length) return { common: [32, 32], range: 'unknown (no readable image among those sampled)' }
  // Sizes are shown as width x height, the way image tools show them.
  const tally = new Map<string, number>()
  for (const [h, w] of found) tally.set(`${w}x${h}`, (tally.get(`${w}x${h}`) ?? 0) + 1)
  const [best] = [...tally].sort((a, b) => b[1] - a[1])[0]
  const [w, h] = best.split('x').map(Number)
  const areas = found.map(([fh, fw]) => fh * fw)
  const small = found[areas.indexOf(Math.min(...areas))]
  const large = found[areas.indexOf(Math.max(...areas))]
  const range = tally.size === 1 ? `${best}` : `${small[1]}x${small[0]} to ${large[1]}x${large[0]} (mostly ${best}; ${found.length} sampled)`
  return { common: [Math.min(h, 256), Math.min(w, 256)], range }
}
