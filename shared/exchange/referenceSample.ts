import { z } from 'zod'

/**
 * One test image exactly as the model received it, and what the model answered: proof an export loads
 * right. The format on its own (no TensorFlow.js), so the window's process can read and check it.
 */
export const ReferenceSample = z.object({
  shape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  input: z.array(z.number()),
  label: z.number().int(),
  probabilities: z.array(z.number()),
})
export type ReferenceSample = z.infer<typeof ReferenceSample>

export const REFERENCE_SAMPLE_FILE = 'reference-sample.json'
