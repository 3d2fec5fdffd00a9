import { z } from 'zod'
import { RunResult, TrainConfig } from '../../shared/api/schemas'
import { WorkbenchError } from '../../shared/api/contract'

/**
 * An exported model: the TensorFlow.js layers format (model.json + weights.bin, loadable by
 * tf.loadLayersModel anywhere), plus what it takes to use it right: its preprocessing, class names, the
 * configuration it was trained with, and one test image with the output it must give.
 */
export const ExportManifest = z.object({
  format: z.literal('cnn-workbench-model'),
  version: z.literal(1),
  config: TrainConfig,
  classNames: z.array(z.string()).min(1),
  preprocessing: z.object({
    inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
    pixelScale: z.literal('0..1'),
    mean: z.array(z.number()).optional(),
    std: z.array(z.number()).optional(),
  }),
  result: RunResult.optional(),
  exportedAt: z.string(),
})
export type ExportManifest = z.infer<typeof ExportManifest>

export const EXPORT_MANIFEST_FILE = 'workbench.json'

/** An export that cannot be imported (or a run that cannot be exported), said in the user's terms. */
export class ModelExchangeError extends WorkbenchError {
  constructor(message: string) {
    super('bad-input', message)
    this.name = 'ModelExchangeError'
  }
}
