/**
 * Reader for the IDX format of the original MNIST files (big-endian header: two zero bytes, a type code,
 * the number of dimensions, then one uint32 per dimension). Only unsigned bytes are used by MNIST-like data.
 */
export interface IdxArray {
  dims: number[]
  data: Uint8Array
}

export class IdxFormatError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`)
    this.name = 'IdxFormatError'
  }
}

const UNSIGNED_BYTE = 0x08

export function parseIdx(buffer: Uint8Array, file: string, expectedDims?: number): IdxArray {
  if (buffer.length < 4) throw new IdxFormatError(file, `too short for an IDX header (${buffer.length} bytes)`)
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  const magic = view.getUint32(0)
  const typeCode = buffer[2]
  const dimCount = buffer[3]
  if (buffer[0] !== 0 || buffer[1] !== 0 || typeCode !== UNSIGNED_BYTE || dimCount === 0) {
    throw new IdxFormatError(
      file,
      `wrong magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0x000008NN: unsigned bytes, NN dimensions)`,
    )
  }
  if (expectedDims !== undefined && dimCount !== expectedDims) {
    throw new IdxFormatError(file, `has ${dimCount} dimensions, expected ${expectedDims}`)
  }
  const headerBytes = 4 + 4 * dimCount
  if (buffer.length < headerBytes) throw new IdxFormatError(file, 'truncated inside its header')
  const dims: number[] = []
  for (let i = 0; i < dimCount; i++) dims.push(view.getUint32(4 + 4 * i))
  const expectedBytes = dims.reduce((a, b) => a * b, 1)
  const actualBytes = buffer.length - headerBytes
  if (actualBytes < expectedBytes) {
    throw new IdxFormatError(file, `truncated: header promises ${expectedBytes} data bytes, file has ${actualBytes}`)
  }
  if (actualBytes > expectedBytes) {
    throw new IdxFormatError(file, `has ${actualBytes - expectedBytes} unexpected bytes after its data`)
  }
  return { dims, data: buffer.subarray(headerBytes) }
}
