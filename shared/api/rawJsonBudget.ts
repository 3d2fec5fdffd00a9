import { MAX_REQUEST_DEPTH, MAX_REQUEST_VALUES, UPLOAD_METHODS } from './wire'

/**
 * Image uploads carry their image as one base64 string: their requests are a handful of fields, so a
 * few values and levels are all they may hold (no pixels as arrays, no objects of numbers).
 */
export const MAX_UPLOAD_VALUES = 64
export const MAX_UPLOAD_DEPTH = 4

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPENERS = new Set([0x5b, 0x7b])
const CLOSERS = new Set([0x5d, 0x7d])

/** Where the string that opens at `start` (a quote) ends: the index of its closing quote, or -1. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let from = start + 1
  for (;;) {
    // indexOf runs natively: a multi-megabyte base64 string is skipped in one step.
    const quote = bytes.indexOf(QUOTE, from)
    if (quote < 0) return -1
    let backslashes = 0
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote
    from = quote + 1
  }
}

/**
 * Why a raw call message (`{"type":"call",...,"request":...}`) holds a request too deep or with too many
 * values, or undefined, read from its bytes before JSON.parse builds anything: one linear pass that
 * stops at the budget, so a 16 MB message of a million keys costs a fraction of a millisecond. The
 * budgets are those `requestShapeProblem` checks after parsing, never stricter: commas bound the values
 * from below (n values need n-1 commas), and the envelope adds one level.
 */
export function rawRequestShapeProblem(bytes: Uint8Array, method: string): string | undefined {
  const upload = UPLOAD_METHODS.has(method)
  const maxDepth = upload ? MAX_UPLOAD_DEPTH : MAX_REQUEST_DEPTH
  const maxValues = upload ? MAX_UPLOAD_VALUES : MAX_REQUEST_VALUES
  const what = upload ? `${method}: an upload's image travels as one base64 string, and its request` : `${method}: the request`
  let depth = 0
  let commas = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]
    if (byte === QUOTE) {
      const end = stringEnd(bytes, i)
      if (end < 0) return undefined // not JSON: JSON.parse says so
      i = end
    } else if (OPENERS.has(byte)) {
      // Depth 1 is the envelope, 2 the request itself: a request nested maxDepth levels reaches maxDepth + 1.
      if (++depth > maxDepth + 1) return `${what} is nested more than ${maxDepth} levels deep`
    } else if (CLOSERS.has(byte)) depth--
    else if (byte === COMMA && depth >= 2 && ++commas > maxValues) return `${what} holds more than ${maxValues.toLocaleString('en-US')} values (array items and object keys)`
  }
  return undefined
}
