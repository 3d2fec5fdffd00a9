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
