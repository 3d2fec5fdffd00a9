import { z } from 'zod'
import type { AugmentConfig } from '../../shared/api/schemas'

const DataReadRequest = z.object({
  dataset: z.string(),
  size: z.number().int().optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  validationFraction: z.number(),
  seed: z.number().int(),
  augment: z.custom<AugmentConfig>((value) => typeof value === 'object' && value !== null).optional(),
})

/**
 * Requests to the inference worker, which also reads data sets for the Data view (everything that decodes
 * images or runs a model); `bytes` crosses as a Uint8Array (structured clone).
 */
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
  /** The Data view's reads (main/data/dataReader.ts): decoding folders happens here, not in the window's process. */
  z.object({ id: z.number().int(), method: z.literal('data-describe'), dataDir: z.string(), request: DataReadRequest }),
  z.object({ id: z.number().int(), method: z.literal('data-samples'), dataDir: z.string(), request: DataReadRequest.extend({ count: z.number().int() }) }),
  z.object({ id: z.number().int(), method: z.literal('data-cancel'), dataDir: z.string(), dataset: z.string(), reason: z.string() }),
])
export type InferenceRequest = z.infer<typeof InferenceRequest>

/** Errors cross as data, with the kind the API maps to a code. */
export const InferenceReply = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), kind: z.enum(['bad-image', 'bad-model', 'bad-data', 'not-found', 'internal']), message: z.string() }),
])

/** What the worker says unasked: a folder scan's progress. */
export const InferenceEvent = z.object({ event: z.literal('data.scan'), dataset: z.string(), entries: z.number().int(), files: z.number().int() })
export type InferenceEvent = z.infer<typeof InferenceEvent>
export type InferenceReply = z.infer<typeof InferenceReply>
