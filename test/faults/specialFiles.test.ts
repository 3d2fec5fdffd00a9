import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { constants } from 'node:fs'
import { mkdir, mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { scanFolder } from '../../main/data/folder/folderScan'
import { decodeEntry } from '../../main/data/folder/folderSource'
import { MAX_FILE_BYTES } from '../../main/data/folder/imageFiles'
import { NotRegularFileError, readRegularFile, readRegularFileHead } from '../../main/storage/regularFile'
import { connectClient, useTestServer } from '../helpers/webHarness'

const fifos: string[] = []
const sockets: Server[] = []

/** A real named pipe (mkfifo(1)); nobody ever writes to it, so a blocking open for reading never returns. */
function mkfifo(path: string): string {
  execFileSync('mkfifo', [path])
  fifos.push(path)
  return path
}

async function png(path: string, seed: number): Promise<void> {
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: seed * 40, g: 10, b: 200 - seed * 30 } } }).png().toFile(path)
}

afterAll(async () => {
  // Before the fix a reader sits blocked in open(2) on these pipes: a writer appearing releases it, so the
  // test process can still end.
  for (const fifo of fifos) {
    const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined)
    await writer?.close()
  }
  for (const server of sockets) server.close()
})

describe('special files are never opened as images', () => {
  it('readRegularFile and readRegularFileHead refuse a FIFO, a socket, a device and a folder without blocking', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'special-'))
    const socketPath = join(dir, 'socket.png')
    const server = createServer()
    sockets.push(server)
    await new Promise<void>((resolve) => server.listen(socketPath, resolve))
    await mkdir(join(dir, 'folder.png'))
    const cases: [string, RegExp][] = [
      [mkfifo(join(dir, 'pipe.png')), /named pipe/],
      [socketPath, /socket/],
      ['/dev/zero', /character device/],
      [join(dir, 'folder.png'), /folder/],
    ]
    for (const [path, kind] of cases) {
      for (const read of [() => readRegularFile(path, 1024), () => readRegularFileHead(path, 64, 1024)]) {
        const error = await read().catch((e: unknown) => e)
        expect(error, path).toBeInstanceOf(NotRegularFileError)
        expect((error as Error).message, path).toMatch(kind)
      }
    }
  })

  it('the folder scanner skips a FIFO, a socket and a FIFO behind a symlink, with the reason, and keeps the images', async () => {
    const root = await mkdtemp(join(tmpdir(), 'special-scan-'))
    for (const name of ['a', 'b']) await mkdir(join(root, name))
    for (let i = 0; i < 3; i++) {
      await png(join(root, 'a', `a${i}.png`), i)
      await png(join(root, 'b', `b${i}.png`), i + 3)
    }
    const pipe = mkfifo(join(root, 'a', 'x.png'))
    await import('node:fs/promises').then(({ symlink }) => symlink(pipe, join(root, 'b', 'link.png')))
    const server = createServer()
    sockets.push(server)
    await new Promise<void>((resolve) => server.listen(join(root, 'b', 'sock.png'), resolve))
    await mkdir(join(root, 'b', 'dir.png'))
    await png(join(root, 'b', 'dir.png', 'inside.png'), 5)

    const scan = await scanFolder(root)
    expect(scan.classNames).toEqual(['a', 'b'])
    expect(scan.train.length + scan.test.length).toBe(7)
    const reasons = Object.fromEntries(scan.skipped.map((s) => [s.file, s.reason]))
    expect(reasons['a/x.png']).toMatch(/named pipe \(FIFO\), not a regular file/)
    expect(reasons['b/link.png']).toMatch(/named pipe \(FIFO\)/)
    expect(reasons['b/sock.png']).toMatch(/socket/)
  })

  it('decoding re-checks each file: one replaced by a FIFO or grown past the limit after the scan is skipped, never read', async () => {
    const root = await mkdtemp(join(tmpdir(), 'special-swap-'))
    await mkdir(join(root, 'a'))
    await mkdir(join(root, 'b'))
    for (let i = 0; i < 2; i++) {
      await png(join(root, 'a', `a${i}.png`), i)
      await png(join(root, 'b', `b${i}.png`), i)
    }
    const scan = await scanFolder(root)
    const [swapped, grown] = [...scan.train, ...scan.test].filter((entry) => entry.display.startsWith('a/'))
    await rm(swapped.path)
    mkfifo(swapped.path.toString())
    await truncate(grown.path, MAX_FILE_BYTES + 1) // sparse: no 64 MiB written
    const target = { height: 8, width: 8, channels: 3 as const }
    await expect(decodeEntry(swapped, target)).rejects.toThrow(/named pipe/)
    await expect(decodeEntry(grown, target)).rejects.toThrow(/more than the 64 MiB limit/)
  })
})

describe('special files through the web API', () => {
  const context = useTestServer()

  it('four FIFOs in one folder described at once leave the server serving runs.list, and are listed as skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'special-web-'))
    for (const name of ['cats', 'dogs']) {
      await mkdir(join(root, name))
      for (let i = 0; i < 3; i++) await png(join(root, name, `${name}${i}.png`), i)
    }
    // Four: as many as libuv's threadpool has workers.
    for (let i = 0; i < 4; i++) mkfifo(join(root, 'cats', `pipe${i}.png`))
    await writeFile(join(root, 'dogs', 'note.txt'), 'not an image')
    const client = await connectClient(context.server)
    const described = client.call('data.describe', { dataset: `folder:${root}`, size: 8 })
    const listed = await client.call('runs.list', {})
    expect(listed.ok).toBe(true)
    const result = await described
    expect(result.ok, JSON.stringify(result.error)).toBe(true)
    const skipped = (result.value as { skipped: { file: string; reason: string }[] }).skipped
    expect(skipped.filter((s) => /named pipe/.test(s.reason)).map((s) => s.file).sort()).toEqual(['cats/pipe0.png', 'cats/pipe1.png', 'cats/pipe2.png', 'cats/pipe3.png'])
    expect((await client.call('runs.list', {})).ok).toBe(true)
    client.close()
  }, 30_000)

  it('a FIFO named run.json or weights.bin in the data folder is skipped, not waited on', async () => {
    const runDir = join(context.dataDir, 'runs', 'mx0000ff-fifo00')
    await mkdir(join(runDir, 'model'), { recursive: true })
    mkfifo(join(runDir, 'run.json'))
    const client = await connectClient(context.server)
    const listed = await client.call('runs.list', {})
    expect(listed.ok).toBe(true)
    expect((listed.value as { runId: string }[]).map((run) => run.runId)).not.toContain('mx0000ff-fifo00')
    expect((await client.call('runs.get', { runId: 'mx0000ff-fifo00' })).error?.code).toBe('not-found')
    client.close()
  }, 30_000)
})
