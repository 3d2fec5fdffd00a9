import type { Stats } from 'node:fs'
import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'

/**
 * A path that is not a regular file (a FIFO, socket, device or folder): reading it would block forever
 * (a FIFO with no writer holds one of libuv's four threadpool workers) or read without end (a device).
 */
export class NotRegularFileError extends Error {
  constructor(readonly kind: string) {
    super(`is ${kind}, not a regular file; not read`)
    this.name = 'NotRegularFileError'
  }
}

/** A regular file larger than the caller's limit, refused before (or while) reading it. */
export class FileTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`${describeBytes(bytes)}, more than the ${describeBytes(limit)} limit; not read`)
    this.name = 'FileTooLargeError'
  }
}

function describeBytes(bytes: number): string {
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(bytes >= 10 * 2 ** 20 ? 0 : 1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`
  return `${bytes} bytes`
}

/** What a non-regular file is, in words; undefined for a regular file. */
export function specialFileKind(info: Pick<Stats, 'isFile' | 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string | undefined {
  if (info.isFile()) return undefined
  if (info.isFIFO()) return 'a named pipe (FIFO)'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  if (info.isDirectory()) return 'a folder'
  return 'a special file'
}

export interface OpenOptions {
  /**
   * The path was listed as a regular file by a scan just before (a folder data set's): skip the check
   * before the open. The open stays non-blocking and the handle is checked, so a file swapped since is
   * still refused without blocking.
   */
  scanned?: boolean
}

/**
 * Opens a path for reading only if it is a regular file, without ever blocking: the type is checked
 * before the open, and the open is non-blocking, so a path swapped for a FIFO in between still returns
 * at once (and fails the check on the open handle).
 */
export async function openRegularFile(path: string | Buffer, maxBytes = Number.MAX_SAFE_INTEGER, options: OpenOptions = {}) {
  if (!options.scanned) {
    const before = await stat(path)
    const kind = specialFileKind(before)
    if (kind) throw new NotRegularFileError(kind)
    if (before.size > maxBytes) throw new FileTooLargeError(before.size, maxBytes)
  }
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    const kindNow = specialFileKind(info)
    if (kindNow) throw new NotRegularFileError(kindNow)
    if (info.size > maxBytes) throw new FileTooLargeError(info.size, maxBytes)
    return { handle, size: info.size }
  } catch (error) {
    await handle.close()
    throw error
  }
}

/**
 * The whole content of a regular file of at most `maxBytes`. The limit holds at read time too: a file
 * that grew since it was listed (or since the size check) is refused once it passes the limit.
 */
export async function readRegularFile(path: string | Buffer, maxBytes = Number.MAX_SAFE_INTEGER, options: OpenOptions = {}): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path, maxBytes, options)
  try {
    const chunks: Buffer[] = []
    let total = 0
    let chunkSize = Math.min(size, maxBytes) + 1
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkSize)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > maxBytes) throw new FileTooLargeError(total, maxBytes)
      chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead))
      // A short read of a regular file is its end: the usual file takes one read, not a second one for nothing.
      if (bytesRead < chunk.length) break
      chunkSize = Math.min(1 << 20, maxBytes + 1 - total)
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)
  } finally {
    await handle.close()
  }
}

/**
 * The first `bytes` bytes of a regular file of at most `maxBytes` (all of it when shorter) and its size:
 * an image's header without reading the pixels that follow it.
 */
export async function readRegularFileHead(path: string | Buffer, bytes: number, maxBytes = Number.MAX_SAFE_INTEGER, options: OpenOptions = {}): Promise<{ head: Buffer; size: number }> {
  const { handle, size } = await openRegularFile(path, maxBytes, options)
  try {
    const head = Buffer.allocUnsafe(Math.min(bytes, size))
    let filled = 0
    while (filled < head.length) {
      const { bytesRead } = await handle.read(head, filled, head.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return { head: head.subarray(0, filled), size }
  } finally {
    await handle.close()
  }
}
