import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { DownloadProgress } from '../../../shared/api/schemas'
import type { DownloadSpec } from './checksums'

export type ProgressListener = (progress: Omit<DownloadProgress, 'dataset'>) => void

export class DownloadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DownloadError'
  }
}

export class ChecksumMismatchError extends DownloadError {
  constructor(file: string, algorithm: string, expected: string, actual: string) {
    super(`${file}: ${algorithm} checksum mismatch (expected ${expected}, got ${actual}); the download was corrupt and has been deleted, try again`)
    this.name = 'ChecksumMismatchError'
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size
  } catch {
    return undefined
  }
}

/** Hashes a file with every algorithm its spec names and throws on the first mismatch. */
export async function verifyChecksums(path: string, spec: DownloadSpec): Promise<void> {
  const wanted = (['sha256', 'md5'] as const).filter((algorithm) => spec[algorithm])
  if (!wanted.length) throw new DownloadError(`${spec.file}: no checksum in the table; refusing to use an unverified file`)
  const hashes = wanted.map((algorithm) => ({ algorithm, hash: createHash(algorithm) }))
  for await (const chunk of createReadStream(path)) for (const { hash } of hashes) hash.update(chunk as Buffer)
  for (const { algorithm, hash } of hashes) {
    const actual = hash.digest('hex')
    if (actual !== spec[algorithm]!.toLowerCase()) throw new ChecksumMismatchError(spec.file, algorithm, spec[algorithm]!, actual)
  }
}

/**
 * Downloads `spec` into `folder` and returns the verified file's path. Bytes arrive in `<file>.part`; an
 * interrupted download is resumed with an HTTP Range request next time. Only a file whose size and checksums
 * match is renamed to its final name, so nothing partial or unverified is ever found there. A file already
 * there is used offline, without the network.
 */
export async function downloadVerified(spec: DownloadSpec, folder: string, onProgress: ProgressListener = () => {}): Promise<string> {
  const final = join(folder, spec.file)
  if ((await sizeOf(final)) !== undefined) return final
  await mkdir(folder, { recursive: true })
  const part = `${final}.part`
  let start = (await sizeOf(part)) ?? 0
  if (spec.bytes !== undefined && start > spec.bytes) {
    await rm(part, { force: true })
    start = 0
  }
  const complete = spec.bytes !== undefined && start === spec.bytes
  if (!complete) await fetchInto(spec, part, start, onProgress)
  const received = (await sizeOf(part)) ?? 0
  onProgress({ file: spec.file, receivedBytes: received, totalBytes: spec.bytes ?? received, bytesPerSecond: 0, etaSeconds: 0, phase: 'verifying' })
  if (spec.bytes !== undefined && received !== spec.bytes) {
    throw new DownloadError(`${spec.file}: received ${received} of ${spec.bytes} bytes; run again to resume the download`)
  }
  try {
    await verifyChecksums(part, spec)
  } catch (error) {
    if (error instanceof ChecksumMismatchError) await rm(part, { force: true })
    onProgress({ file: spec.file, receivedBytes: received, totalBytes: spec.bytes, bytesPerSecond: 0, phase: 'failed' })
    throw error
  }
  await rename(part, final)
  return final
}

async function fetchInto(spec: DownloadSpec, part: string, start: number, onProgress: ProgressListener): Promise<void> {
  const headers: Record<string, string> = start > 0 ? { Range: `bytes=${start}-` } : {}
  let response: Response
  try {
    response = await fetch(spec.url, { headers, redirect: 'follow' })
  } catch (error) {
    throw new DownloadError(`${spec.file}: cannot reach ${spec.url} (${describeCause(error)}); check the connection and try again`)
  }
  if (start > 0 && response.status === 416) {
    // The server says the range starts past the end: the part file may be complete; verification decides.
    await response.body?.cancel()
    return
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel()
    throw new DownloadError(`${spec.file}: ${spec.url} answered HTTP ${response.status} ${response.statusText}`)
  }
  const resumed = start > 0 && response.status === 206
  const offset = resumed ? start : 0
  const length = Number(response.headers.get('content-length'))
  const totalBytes = spec.bytes ?? (Number.isFinite(length) && length > 0 ? offset + length : undefined)
  let received = offset
  const began = performance.now()
  let lastReport = 0
  const report = (phase: 'downloading' | 'failed') => {
    const seconds = (performance.now() - began) / 1000
    const bytesPerSecond = seconds > 0 ? (received - offset) / seconds : 0
    const etaSeconds = totalBytes !== undefined && bytesPerSecond > 0 ? Math.max(0, (totalBytes - received) / bytesPerSecond) : undefined
    onProgress({ file: spec.file, receivedBytes: received, totalBytes, bytesPerSecond, etaSeconds, phase })
  }
  report('downloading')
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)
  body.on('data', (chunk: Buffer) => {
    received += chunk.length
    const now = performance.now()
    if (now - lastReport > 200) {
      lastReport = now
      report('downloading')
    }
  })
  try {
    await pipeline(body, createWriteStream(part, { flags: resumed ? 'a' : 'w' }))
  } catch (error) {
    report('failed')
    const of = totalBytes !== undefined ? ` of ${totalBytes}` : ''
    throw new DownloadError(`${spec.file}: download interrupted after ${received}${of} bytes (${describeCause(error)}); run again to resume`)
  }
  report('downloading')
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause
  const message = error instanceof Error ? error.message : String(error)
  return cause instanceof Error ? `${message}: ${cause.message}` : message
}
