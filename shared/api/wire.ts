import { z } from 'zod'
import { ApiError } from './contract'

/** Messages on the web bridge's WebSocket. Electron IPC carries the same `call`/`event` shapes. */
export const ClientMessage = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  request: z.unknown(),
})
export type ClientMessage = z.infer<typeof ClientMessage>

export const ApiResultWire = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiError }),
])

export const ServerMessage = z.union([
  z.object({ type: z.literal('result'), id: z.number().int(), result: ApiResultWire }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
])
export type ServerMessage = z.infer<typeof ServerMessage>

/** Largest message either side accepts, in bytes; a dropped image is the biggest legitimate payload. */
export const MAX_MESSAGE_BYTES = 20 * 1024 * 1024

/** UTF-8 size of a string without allocating its encoding. */
export function utf8ByteLength(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

const mebibytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')

/**
 * Why a request may not be sent, or undefined when it may: larger than MAX_MESSAGE_BYTES once encoded,
 * or not plain JSON data. Both transports check this (the renderer before sending, main on receipt).
 */
export function requestSizeProblem(method: string, request: unknown, limit = MAX_MESSAGE_BYTES): string | undefined {
  let text: string | undefined
  try {
    text = JSON.stringify(request ?? {})
  } catch {
    return `${method}: the request is not plain JSON data`
  }
  if (text === undefined) return `${method}: the request is not plain JSON data`
  // Every UTF-16 unit is at least one byte and at most three: only the middle ground needs counting.
  const bytes = text.length > limit ? text.length : text.length * 3 <= limit ? text.length : utf8ByteLength(text)
  if (bytes > limit) return `${method}: the request is ${mebibytes(bytes)} MiB, more than the ${mebibytes(limit)} MiB the workbench accepts`
  return undefined
}
