import { zipSync } from 'fflate'

export interface NpyArray {
  shape: readonly number[]
  values: Float32Array
}

/** One .npy file (format 1.0): magic, a Python-literal header padded to 64 bytes, little-endian float32 data. */
export function encodeNpy({ shape, values }: NpyArray): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ')
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`
  const unpadded = 10 + dict.length + 1
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`
  const out = new Uint8Array(10 + header.length + values.byteLength)
  out.set([0x93, ...Array.from('NUMPY', (ch) => ch.charCodeAt(0)), 1, 0, header.length & 0xff, header.length >> 8])
  out.set(Array.from(header, (ch) => ch.charCodeAt(0)), 10)
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 10 + header.length)
  return out
}

/** An .npz as numpy.savez writes it: an uncompressed zip of `<name>.npy` files; np.load reads it by name. */
export function encodeNpz(arrays: ReadonlyMap<string, NpyArray>): Uint8Array {
  return zipSync(Object.fromEntries([...arrays].map(([name, array]) => [`${name}.npy`, [encodeNpy(array), { level: 0 }]])))
}
