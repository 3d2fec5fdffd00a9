import { createServer, type Server } from 'node:http'
import { gzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import { CIFAR10_RECORD_BYTES } from '../../main/data/sources/cifar10'

/** A CIFAR-10 binary batch: `count` records, label i % 10, each image a flat colour derived from its index. */
export function cifarBatch(count: number, labelOf = (i: number) => i % 10): Buffer {
  const bytes = Buffer.alloc(count * CIFAR10_RECORD_BYTES)
  for (let i = 0; i < count; i++) {
    const base = i * CIFAR10_RECORD_BYTES
    bytes[base] = labelOf(i)
    bytes.fill((i * 7) % 256, base + 1, base + 1 + 1024)
    bytes.fill((i * 13) % 256, base + 1 + 1024, base + 1 + 2048)
    bytes.fill((i * 29) % 256, base + 1 + 2048, base + 1 + 3072)
  }
  return bytes
}

/** A ustar archive of regular files (enough for the reader under test), gzipped. */
export function tarGz(files: { name: string; data: Buffer }[]): Buffer {
  const blocks: Buffer[] = []
  for (const file of files) {
    const header = Buffer.alloc(512)
    header.write(file.name, 0, 100, 'latin1')
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write(file.data.length.toString(8).padStart(11, '0') + '\0', 124)
    header.write('00000000000\0', 136)
    header.fill(32, 148, 156)
    header.write('0', 156)
    header.write('ustar\0', 257)
    header.write('00', 263)
    let sum = 0
    for (const byte of header) sum += byte
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
    blocks.push(header, file.data, Buffer.alloc((512 - (file.data.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A small CIFAR-10-format archive as the real one is laid out: cifar-10-batches-bin/<six batches>. */
export function smallCifarArchive(perBatch = 20): Buffer {
  const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']
  return tarGz([
    { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from('airplane\nautomobile\n') },
    ...names.map((name, i) => ({ name: `cifar-10-batches-bin/${name}`, data: cifarBatch(perBatch, (k) => (k + i) % 10) })),
  ])
}

export interface FileServer {
  url: string
  server: Server
  /** Range headers seen, in order. */
  ranges: (string | undefined)[]
  /** When set, the next full response is cut after this many bytes (the socket is destroyed). */
  cutAfter?: number
  close(): Promise<void>
}

/** Serves one file on 127.0.0.1 with Range support, optionally cutting a response short. */
/** Serves `body` with Range support; `trickle` sends it in that many slices over about a second each. */
export async function serveFile(body: Buffer, trickle?: { slices: number; intervalMs: number }): Promise<FileServer> {
  const state: Partial<FileServer> & { ranges: (string | undefined)[] } = { ranges: [] }
  const server = createServer((request, response) => {
    const range = request.headers.range
    state.ranges.push(range)
    let start = 0
    if (range) {
      start = Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0)
      if (start >= body.length) {
        response.writeHead(416, { 'Content-Range': `bytes */${body.length}` })
        return response.end()
      }
      response.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` })
    } else {
      response.writeHead(200, { 'Content-Length': body.length })
    }
    const cut = state.cutAfter
    if (cut !== undefined) {
      state.cutAfter = undefined
      response.write(body.subarray(start, start + cut), () => setTimeout(() => response.destroy(), 20))
      return
    }
    if (trickle) {
      const rest = body.subarray(start)
      const step = Math.ceil(rest.length / trickle.slices)
      let offset = 0
      const send = () => {
        if (response.destroyed) return
        const slice = rest.subarray(offset, offset + step)
        offset += step
        if (offset >= rest.length) response.end(slice)
        else response.write(slice, () => setTimeout(send, trickle.intervalMs))
      }
      send()
      return
    }
    response.end(body.subarray(start))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/file`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as FileServer
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

/** A tiny PNG whose header claims width x height: a decompression bomb as far as any decoder can tell. */
export async function bombPng(width = 100_000, height = 100_000): Promise<Buffer> {
  const png = await sharp(Buffer.from([0]), { raw: { width: 1, height: 1, channels: 1 } }).png().toBuffer()
  const out = Buffer.from(png)
  // IHDR data starts at 16: width, height (big-endian); its CRC covers type + data (12..29).
  out.writeUInt32BE(width, 16)
  out.writeUInt32BE(height, 20)
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29)
  return out
}

export function noise(width: number, height: number, channels: number, seed = 1): Buffer {
  let state = seed
  return Buffer.from(Array.from({ length: width * height * channels }, () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24)))
}
