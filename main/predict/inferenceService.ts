import type { Inspection } from '../../shared/api/inspect'
import type { Prediction } from '../../shared/api/schemas'
import type { RunStore } from '../storage/runStore'
import { Inspector, type InspectOptions } from './inspector'
import { Predictor, type PrepareBackend } from './predictor'
import { checkModelImport } from './modelImport'

/** Predictions and inspections of trained runs, wherever they are computed. */
export interface InferenceService {
  predict(runId: string, fileName: string, bytes: Uint8Array, topK: number): Promise<Prediction>
  inspect(runId: string, fileName: string, bytes: Uint8Array, options: InspectOptions): Promise<Inspection>
  /** Checks an export folder for import, writing the checked files into stagingDir; the manifest as data. */
  checkImport(folder: string, stagingDir: string): Promise<unknown>
  close(): void
}

/** In this process: what the inference worker runs, and what tests use directly. */
export function createLocalInference(store: RunStore, prepareBackend?: PrepareBackend): InferenceService {
  const predictor = new Predictor(store, prepareBackend)
  const inspector = new Inspector(predictor)
  return {
    predict: (runId, fileName, bytes, topK) => predictor.predict(runId, fileName, bytes, topK),
    inspect: (runId, fileName, bytes, options) => inspector.inspect(runId, fileName, bytes, options),
    checkImport: (folder, stagingDir) => checkModelImport(folder, stagingDir),
    close: () => undefined,
  }
}
