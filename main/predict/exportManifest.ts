import { z } from 'zod'
import { ExportFormat, RunResult, TrainConfig } from '../../shared/api/schemas'
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
  /** Absent in exports older than the format choice: those are all TensorFlow.js. */
  exportFormat: ExportFormat.optional(),
  /**
   * What an image goes through before the network: pixels scaled to 0..1, (x - mean) / std per channel where
   * given, and, where the network's input is larger than the data it was trained on, a bilinear resize
   * from `resizedFrom`. `inputShape` is the network's input, [height, width, channels].
   */
  preprocessing: z.object({
    inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
    pixelScale: z.literal('0..1'),
    mean: z.array(z.number()).optional(),
    std: z.array(z.number()).optional(),
    resizedFrom: z.tuple([z.number().int(), z.number().int(), z.number().int()]).optional(),
    resizeMethod: z.string().optional(),
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
