import type * as tfl from '@tensorflow/tfjs-layers'
import type { TrainConfig } from '../../shared/api/schemas'
import { getArchitecture } from '../../shared/arch/specs'
import { analyzeModel } from '../../shared/arch/layerMath'
import { WASM_HEAP_BACKENDS, wasmMemoryProblem } from '../../shared/arch/memoryBudget'
import { loadCheckpoint } from '../engine/model/checkpoint'
import { createModel } from '../engine/model/modelFactory'
import type { TrainStart } from '../engine/trainingLoop/trainingContract'
import { readCheckpointInfo } from '../storage/checkpointInfo'

/** A job's model and where its training starts: afresh, or from the run's last checkpoint. */
export interface JobModel {
  model: tfl.LayersModel
  start: TrainStart
  /** Where a resumed run's clocks stand: its points' wall time and its training time continue from there. */
  resumedAt: { wallSeconds: number; trainSeconds: number }
}

/**
 * The notes' network at the configured input size (default: the architecture's), built for this data set's
 * channels and classes (the trainer resizes batches when the sizes differ); with `resume`, its weights and
 * optimizer state from the run's last checkpoint.
 */
export async function buildOrRestoreModel(
  config: TrainConfig,
  data: { channels: number; classes: number },
  backendName: string,
  resume: { runDir: string } | undefined,
): Promise<JobModel> {
  const built = getArchitecture(config.arch, { inputSize: config.inputSize, channels: data.channels, classes: data.classes, knobs: config.knobs })
  if (WASM_HEAP_BACKENDS.includes(backendName)) {
    const problem = wasmMemoryProblem(analyzeModel(built, built.input), config.batchSize, `${built.name} at ${built.input.height} px`)
    if (problem) throw new Error(problem)
  }
  const model = createModel(built, built.input, config.seed)
  if (!resume) return { model, start: { epochsDone: 0 }, resumedAt: { wallSeconds: 0, trainSeconds: 0 } }
  const info = await readCheckpointInfo(resume.runDir)
  if (!info) throw new Error('this run has no checkpoint to resume from (it stopped before finishing its first epoch)')
  model.dispose()
  const restored = await loadCheckpoint(resume.runDir, info)
  return {
    model: restored.model,
    resumedAt: { wallSeconds: info.wallSeconds ?? 0, trainSeconds: info.trainSeconds ?? 0 },
    start: {
      epochsDone: info.epoch,
      optimizerWeights: restored.optimizerWeights,
      bestValidationLoss: info.bestValidationLoss,
      epochsWithoutImprovement: info.epochsWithoutImprovement,
      lossScale: info.lossScale,
    },
  }
}
