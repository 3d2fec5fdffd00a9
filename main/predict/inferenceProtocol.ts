import { z } from 'zod'

/** Requests to the inference worker; `bytes` crosses as a Uint8Array (structured clone). */
export const InferenceRequest = z.discriminatedUnion('method', [
  z.object({ id: z.number().int(), method: z.literal('predict'), dataDir: z.string(), runId: z.string(), fileName: z.string(), bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array), topK: z.number().int() }),
  z.object({
    id: z.number().int(),
    method: z.literal('inspect'),
    dataDir: z.string(),
    runId: z.string(),
    fileName: z.string(),
    bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array),
    options: z.object({ maxChannels: z.number().int(), firstChannel: z.number().int().optional(), occlusion: z.boolean(), gradCam: z.boolean().optional() }),
  }),
  /** Reads and checks an export folder, writing what it checked into stagingDir (see modelImport.ts). */
  z.object({ id: z.number().int(), method: z.literal('check-import'), dataDir: z.string(), folder: z.string(), stagingDir: z.string() }),
])
export type InferenceRequest = z.infer<typeof InferenceRequest>

/** Errors cross as data, with the kind the API maps to a code. */
export const InferenceReply = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), kind: z.enum(['bad-image', 'bad-model', 'not-found', 'internal']), message: z.string() }),
])
export type InferenceReply = z.infer<typeof InferenceReply>
