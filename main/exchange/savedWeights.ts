import { join } from 'node:path'
import { z } from 'zod'
import type { SavedTensor } from '../../shared/exchange/torchWeights'
import { readRegularFile } from '../storage/regularFile'

const ModelJson = z
  .object({
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: z.array(z.object({ weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') }).loose()) }).loose()),
  })
  .loose()
export type ModelJson = z.infer<typeof ModelJson>

/** A stored model (model.json + weights.bin, as modelFiles.ts saves it): its topology and its weights by name. */
export async function readSavedModel(folder: string): Promise<{ modelJson: ModelJson; weights: Map<string, SavedTensor> }> {
  const modelJson = ModelJson.parse(JSON.parse((await readRegularFile(join(folder, 'model.json'))).toString('utf8')))
  const bytes = await readRegularFile(join(folder, 'weights.bin'))
  // Copied: a Buffer's offset need not be a multiple of 4.
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  const weights = new Map<string, SavedTensor>()
  let offset = 0
  for (const spec of modelJson.weightsManifest.flatMap((group) => group.weights)) {
    const size = spec.shape.reduce((a, b) => a * b, 1)
    if (offset + size > values.length) throw new Error(`${join(folder, 'weights.bin')} ends before the weight ${spec.name}`)
    weights.set(spec.name, { shape: spec.shape, values: values.subarray(offset, (offset += size)) })
  }
  return { modelJson, weights }
}
