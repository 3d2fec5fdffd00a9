import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { createGunzip } from 'node:zlib'
import { DownloadError } from './downloader'

const BLOCK = 512

function readString(header: Buffer, offset: number, length: number): string {
  const end = header.indexOf(0, offset)
  return header.toString('latin1', offset, end >= 0 && end < offset + length ? end : offset + length)
}

function readOctal(header: Buffer, offset: number, length: number): number {
  const text = readString(header, offset, length).trim()
  return text ? parseInt(text, 8) : 0
}

function checksumOk(header: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]
  return sum === readOctal(header, 148, 8)
}

/**
 * Extracts the regular files whose base names are in `wanted` from a .tar.gz into `folder` (flat: only the
 * base name is used, so no path in the archive can write outside the folder). Throws, naming the archive,
 * on a corrupt gzip stream, a bad header checksum or a truncated archive. Returns the names written.
 */
export async function extractTarGz(archive: string, folder: string, wanted: ReadonlySet<string>): Promise<string[]> {
  await mkdir(folder, { recursive: true })
  const written: string[] = []
  let pending: Buffer = Buffer.alloc(0)
  let remaining = 0 // data bytes left in the current member
  let padding = 0
  let out: WriteStream | undefined
  let ended = false
  const fail = (problem: string) => new DownloadError(`${archive}: ${problem}`)
  const writeChunk = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (!out) return resolve()
      out.write(chunk, (error) => (error ? reject(error) : resolve()))
    })
  const closeOut = () =>
    new Promise<void>((resolve, reject) => {
      if (!out) return resolve()
      const stream = out
      out = undefined
      stream.end((error?: Error | null) => (error ? reject(error) : resolve()))
    })

  const stream = createReadStream(archive).pipe(createGunzip())
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      while (!ended) {
        if (remaining > 0) {
          if (!pending.length) break
          const take = Math.min(remaining, pending.length)
          await writeChunk(pending.subarray(0, take))
          pending = pending.subarray(take)
          remaining -= take
          if (remaining === 0) await closeOut()
          continue
        }
        if (padding > 0) {
          if (!pending.length) break
          const take = Math.min(padding, pending.length)
          pending = pending.subarray(take)
          padding -= take
          continue
        }
        if (pending.length < BLOCK) break
        const header = pending.subarray(0, BLOCK)
        pending = pending.subarray(BLOCK)
        if (header.every((byte) => byte === 0)) {
          ended = true
          break
        }
        if (!checksumOk(header)) throw fail('corrupt tar header (checksum mismatch)')
        const name = readString(header, 0, 100)
        const prefix = readString(header, 345, 155)
        const size = readOctal(header, 124, 12)
        const type = String.fromCharCode(header[156] || 48)
        const base = basename(prefix ? `${prefix}/${name}` : name)
        remaining = size
        padding = (BLOCK - (size % BLOCK)) % BLOCK
        if ((type === '0' || type === '7') && wanted.has(base)) {
          out = createWriteStream(join(folder, base))
          written.push(base)
          if (size === 0) await closeOut()
        }
      }
    }
  } catch (error) {
    await closeOut().catch(() => {})
    if (error instanceof DownloadError) throw error
    throw fail(`cannot be unpacked (${(error as Error).message})`)
  }
  if (remaining > 0 || (out && !ended)) {
    await closeOut().catch(() => {})
    throw fail('is truncated: it ends inside a file')
  }
  await closeOut()
  return written
}
