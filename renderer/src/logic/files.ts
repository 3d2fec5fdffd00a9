/** Reading dropped files for `predict.image`. Pure (no DOM types) so it runs under Node tests too. */

import { MAX_IMAGE_BASE64_LENGTH } from '../../../shared/api/schemas'
import { formatBytes } from './format'

/** Anything with `arrayBuffer()`: a File, a Blob, or a stand-in in tests. */
export interface BinarySource {
  arrayBuffer(): Promise<ArrayBuffer>
}

/** Bytes in a 3-byte multiple keep each chunk's base64 free of padding, so chunks concatenate. */
const CHUNK_BYTES = 3 * 8192

/** Standard base64 (with padding) of the given bytes, without building one huge string argument. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = ''
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    const chunk = bytes.subarray(start, start + CHUNK_BYTES)
    out += btoa(String.fromCharCode(...chunk))
  }
  return out
}

/** The file's contents as base64, as `predict.image` expects in `imageBase64`. */
export async function fileToBase64(file: BinarySource): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()))
}

/** Length of the base64 text for `byteLength` bytes. */
export function base64Length(byteLength: number): number {
  return Math.ceil(byteLength / 3) * 4
}

/**
 * Whether a chosen file looks like an image. Files with no MIME type (some drag sources) are let
 * through: the server decodes them and says if they are not an image.
 */
export function looksLikeImage(file: { type: string }): boolean {
  return file.type === '' || file.type.startsWith('image/')
}

/** Why a dropped file cannot go to `predict.image` or `inspect.image` (not an image, over 12 MiB); null when it can. */
export function imageRejection(file: { name: string; type: string; size: number }): { title: string; message: string } | null {
  if (!looksLikeImage(file)) {
    return { title: `${file.name} is not an image`, message: `It is ${file.type || 'an unknown type'}. Choose a PNG, JPEG, WebP or GIF file.` }
  }
  if (base64Length(file.size) > MAX_IMAGE_BASE64_LENGTH) {
    return { title: `${file.name} is too large`, message: `It is ${formatBytes(file.size)}; the limit is 12 MiB.` }
  }
  return null
}
