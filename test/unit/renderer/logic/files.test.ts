import { describe, expect, it } from 'vitest'
import { base64Length, bytesToBase64, fileToBase64, imageRejection, looksLikeImage } from '../../../../renderer/src/logic/files'

/** Decodes with the platform's `atob`, an implementation independent of the one under test. */
function decode(base64: string): number[] {
  return Array.from(atob(base64), (char) => char.charCodeAt(0))
}

function source(bytes: Uint8Array) {
  return { arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }
}

describe('file to base64', () => {
  it('pads short inputs like btoa', async () => {
    const cases: Array<[string, string]> = [['', ''], ['a', 'YQ=='], ['ab', 'YWI='], ['abc', 'YWJj'], ['digits', 'ZGlnaXRz']]
    for (const [text, expected] of cases) {
      expect(await fileToBase64(source(new TextEncoder().encode(text)))).toBe(expected)
    }
  })
  it('round-trips binary data across chunk boundaries', async () => {
    const bytes = new Uint8Array(100_003)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff
    const encoded = await fileToBase64(source(bytes))
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(decode(encoded)).toEqual(Array.from(bytes))
    expect(encoded.length).toBe(base64Length(bytes.length))
  })
  it('encodes a PNG signature', () => {
    expect(bytesToBase64(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('iVBORw0KGgo=')
  })
})

describe('looksLikeImage', () => {
  it('accepts image types and untyped files, rejects others', () => {
    expect(looksLikeImage({ type: 'image/png' })).toBe(true)
    expect(looksLikeImage({ type: '' })).toBe(true)
    expect(looksLikeImage({ type: 'text/plain' })).toBe(false)
    expect(looksLikeImage({ type: 'application/pdf' })).toBe(false)
  })
})

describe('imageRejection', () => {
  it('lets small images through and names what is wrong with the rest', () => {
    expect(imageRejection({ name: 'seven.png', type: 'image/png', size: 1000 })).toBeNull()
    expect(imageRejection({ name: 'notes.txt', type: 'text/plain', size: 10 })).toEqual({
      title: 'notes.txt is not an image',
      message: 'It is text/plain. Choose a PNG, JPEG, WebP or GIF file.',
    })
    // 12 MiB of bytes is exactly the 16 MiB base64 limit; one more 3-byte group is over it.
    expect(imageRejection({ name: 'edge.png', type: 'image/png', size: 12 * 1024 * 1024 })).toBeNull()
    expect(imageRejection({ name: 'big.png', type: 'image/png', size: 12 * 1024 * 1024 + 3 })?.title).toBe('big.png is too large')
  })
})
