import { afterEach, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CIFAR10_RECORD_BYTES, CifarFormatError, loadCifar10, parseCifarBatch } from '../../../../main/data/sources/cifar10'
import { cifar10Folder, ensureCifar10 } from '../../../../main/data/download/datasetCache'
import { extractTarGz } from '../../../../main/data/download/tarReader'
import type { DownloadProgress } from '../../../../shared/api/schemas'
import { cifarBatch, serveFile, sha256, smallCifarArchive, tarGz, type FileServer } from '../../../helpers/dataFixtures'
import { openDataset } from '../../../../main/data/datasetRegistry'

const servers: FileServer[] = []
afterEach(async () => {
  while (servers.length) await servers.pop()!.close()
})

async function serve(body: Buffer) {
  const server = await serveFile(body)
  servers.push(server)
  return server
}

const spec = (url: string, body: Buffer, overrides = {}) => ({ url, file: 'cifar-10-binary.tar.gz', bytes: body.length, sha256: sha256(body), ...overrides })

describe('CIFAR-10 binary batches', () => {
  it('parses records into HWC bytes and labels', () => {
    const split = parseCifarBatch(cifarBatch(3), 'b.bin')
    expect(split.count).toBe(3)
    expect(Array.from(split.labels)).toEqual([0, 1, 2])
    // Record 1: red plane 7, green 13, blue 29, interleaved per pixel.
    expect(Array.from(split.images.subarray(3072, 3078))).toEqual([7, 13, 29, 7, 13, 29])
  })

  it('names the file and the problem when a batch is truncated, empty or has a bad label', () => {
    expect(() => parseCifarBatch(cifarBatch(2).subarray(0, CIFAR10_RECORD_BYTES + 100), 'data_batch_1.bin')).toThrow(
      /data_batch_1\.bin: is 3173 bytes, not a whole number of 3073-byte records \(truncated or corrupt after record 1\)/,
    )
    expect(() => parseCifarBatch(new Uint8Array(0), 'test_batch.bin')).toThrow(/test_batch\.bin: is empty/)
    const bad = cifarBatch(2)
    bad[CIFAR10_RECORD_BYTES] = 57
    expect(() => parseCifarBatch(bad, 'data_batch_2.bin')).toThrow(CifarFormatError)
    expect(() => parseCifarBatch(bad, 'data_batch_2.bin')).toThrow(/record 1 has label 57/)
  })
})

describe('CIFAR-10 download', () => {
  it('downloads with progress, verifies, extracts, then works offline', async () => {
    const archive = smallCifarArchive()
    const server = await serve(archive)
    const dataDir = await mkdtemp(join(tmpdir(), 'cifar-'))
    const events: DownloadProgress[] = []
    const folder = await ensureCifar10(dataDir, (p) => events.push(p), spec(server.url, archive))
    expect(folder).toBe(cifar10Folder(dataDir))
    const phases = events.map((e) => e.phase)
    expect(phases).toContain('downloading')
    expect(phases).toContain('verifying')
    expect(phases.at(-1)).toBe('done')
    const last = events.filter((e) => e.phase === 'downloading').at(-1)!
    expect(last.receivedBytes).toBe(archive.length)
    expect(last.totalBytes).toBe(archive.length)
    expect(last.etaSeconds).toBeDefined()
    const dataset = await loadCifar10(folder)
    expect([dataset.train.count, dataset.test.count]).toEqual([100, 20])
    await server.close()
    servers.length = 0
    // Offline: no server, same result, no request.
    expect(await ensureCifar10(dataDir, () => {}, spec(server.url, archive))).toBe(folder)
    const opened = await openDataset('cifar10', { dataDir, seed: 1, validationFraction: 0.1, normalize: 'dataset', shuffle: true })
    expect(opened.counts).toEqual({ train: 90, validation: 10, test: 20 })
    expect(opened.normalization?.mean).toHaveLength(3)
  })

  it('resumes an interrupted download with a Range request', async () => {
    const archive = smallCifarArchive(40)
    const server = await serve(archive)
    server.cutAfter = Math.floor(archive.length / 3)
    const dataDir = await mkdtemp(join(tmpdir(), 'cifar-'))
    await expect(ensureCifar10(dataDir, () => {}, spec(server.url, archive))).rejects.toThrow(/cifar-10-binary\.tar\.gz: (download interrupted|received \d+ of \d+ bytes)/)
    expect(existsSync(cifar10Folder(dataDir))).toBe(false)
    const part = join(dataDir, 'datasets', 'cifar10', 'downloads', 'cifar-10-binary.tar.gz.part')
    const partial = (await stat(part)).size
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(archive.length)
    await ensureCifar10(dataDir, () => {}, spec(server.url, archive))
    expect(server.ranges.at(-1)).toBe(`bytes=${partial}-`)
    expect((await loadCifar10(cifar10Folder(dataDir))).train.count).toBe(200)
  })

  it('deletes a download whose checksum does not match, and never extracts it', async () => {
    const archive = smallCifarArchive()
    const server = await serve(archive)
    const dataDir = await mkdtemp(join(tmpdir(), 'cifar-'))
    const wrong = spec(server.url, archive, { sha256: '0'.repeat(64) })
    await expect(ensureCifar10(dataDir, () => {}, wrong)).rejects.toThrow(
      /cifar-10-binary\.tar\.gz: sha256 checksum mismatch \(expected 0{64}, got [0-9a-f]{64}\)/,
    )
    expect(existsSync(cifar10Folder(dataDir))).toBe(false)
    expect(await readdir(join(dataDir, 'datasets', 'cifar10', 'downloads'))).toEqual([])
    await expect(openDataset('cifar10', { dataDir, seed: 1, validationFraction: 0, normalize: 'none', shuffle: true })).rejects.toThrow(/not downloaded yet/)
  })

  it('refuses a verified archive that is corrupt or not CIFAR-10, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tar-'))
    const notGzip = join(dir, 'junk.tar.gz')
    await writeFile(notGzip, 'not gzip at all')
    await expect(extractTarGz(notGzip, join(dir, 'out'), new Set(['x']))).rejects.toThrow(/junk\.tar\.gz: cannot be unpacked/)
    const truncated = tarGz([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBatch(50) }])
    const cut = join(dir, 'cut.tar.gz')
    const { gunzipSync, gzipSync } = await import('node:zlib')
    await writeFile(cut, gzipSync(gunzipSync(truncated).subarray(0, 60_000)))
    await expect(extractTarGz(cut, join(dir, 'out2'), new Set(['data_batch_1.bin']))).rejects.toThrow(/cut\.tar\.gz: is truncated/)
    const other = tarGz([{ name: 'something/else.bin', data: Buffer.alloc(10) }])
    const server = await serve(other)
    const dataDir = await mkdtemp(join(tmpdir(), 'cifar-'))
    await expect(ensureCifar10(dataDir, () => {}, spec(server.url, other))).rejects.toThrow(/has no data_batch_1\.bin; it is not the CIFAR-10 binary archive/)
    expect(existsSync(cifar10Folder(dataDir))).toBe(false)
  })
})
