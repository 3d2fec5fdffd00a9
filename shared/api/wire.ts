import { z } from 'zod'
import { ApiError } from './contract'

/** Messages on the web bridge's WebSocket. Electron IPC carries the same `call`/`event` shapes. */
export const ClientMessage = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
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
/** Largest call of any method that carries no image: a training config or a sweep is a few KiB. */
export const MAX_CALL_BYTES = 1024 * 1024
/** The methods that upload an image, the only ones allowed MAX_MESSAGE_BYTES. */
export const UPLOAD_METHODS: ReadonlySet<string> = new Set(['predict.image', 'inspect.image'])

/** The most bytes a call of this method may take once encoded. */
export function messageLimitFor(method: string): number {
  return UPLOAD_METHODS.has(method) ? MAX_MESSAGE_BYTES : MAX_CALL_BYTES
}

/**
 * The method a raw call message names, read from its first bytes without parsing it, so an oversized
 * call is refused before JSON.parse. Clients write `method` before `request`; a message that does not
 * (or names one method up front and another in fact) only gets the small limit.
 */
export function declaredMethod(raw: string): string | undefined {
  return /"method"\s*:\s*"([A-Za-z.]{1,64})"/.exec(raw.slice(0, 512))?.[1]
}

/** The call id a raw message names up front (clients write `id` first), to answer a call refused unparsed. */
export function declaredId(raw: string): number {
  const id = Number(/^\s*\{\s*"type"\s*:\s*"call"\s*,\s*"id"\s*:\s*(\d{1,15})\s*,/.exec(raw.slice(0, 128))?.[1] ?? 0)
  return Number.isSafeInteger(id) ? id : 0
}

/** Budgets for a request's shape, checked before validation walks it: no legitimate call comes near them. */
export const MAX_REQUEST_DEPTH = 32
export const MAX_REQUEST_VALUES = 20_000

/**
 * Why a parsed request is too deep or has too many values (array items, object keys) to be validated,
 * or undefined. The walk is iterative and stops at the budget, so it costs little whatever the input.
 */
export function requestShapeProblem(method: string, request: unknown, maxDepth = MAX_REQUEST_DEPTH, maxValues = MAX_REQUEST_VALUES): string | undefined {
  const stack: [unknown, number][] = [[request, 0]]
  // An object met twice is a cycle (or a shared reference), which only IPC's structured clone can carry.
  const seen = new Set<object>()
  let values = 0
  while (stack.length) {
    const [value, depth] = stack.pop()!
    if (value === null || typeof value !== 'object') continue
    if (seen.has(value)) return `${method}: the request is not plain JSON data (it contains itself)`
    seen.add(value)
    if (depth >= maxDepth) return `${method}: the request is nested more than ${maxDepth} levels deep`
    const tooMany = () => `${method}: the request holds more than ${maxValues.toLocaleString('en-US')} values (array items and object keys)`
    if (Array.isArray(value)) {
      values += value.length
      if (values > maxValues) return tooMany()
      for (const child of value) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
      continue
    }
    // Counted key by key, so a million-key object is refused without listing its keys first.
    for (const key in value) {
      if (++values > maxValues) return tooMany()
      const child = (value as Record<string, unknown>)[key]
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
    }
  }
  return undefined
}

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
 * Why a request may not be sent, or undefined when it may: larger than its method's limit once encoded,
 * or not plain JSON data. Both transports check this (the renderer before sending, main on receipt).
 */
export function requestSizeProblem(method: string, request: unknown, limit = messageLimitFor(method)): string | undefined {
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
