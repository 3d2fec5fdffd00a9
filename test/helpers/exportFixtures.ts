import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { join } from 'node:path'
import { TrainConfig, type RunSummary } from '../../shared/api/schemas'
import { ARCHITECTURE_FAMILIES, getArchitecture, type ArchitectureId, type ArchKnobs } from '../../shared/arch/specs'
import { createModel } from '../../main/engine/model/modelFactory'
import { saveModel } from '../../main/engine/model/modelFiles'
import { writeReferenceSample } from '../../main/engine/model/referenceSample'
import type { RunStore } from '../../main/storage/runStore'

/**
 * A completed run at the architecture's CPU preset without the training: the model factory's seeded weights,
 * batch norm statistics drawn away from 0 and 1 (so a mixed-up mean, variance or layout shows), and a
 * reference image of MNIST's 28x28 size (or `data`'s), which networks with a larger input resize as training does.
 */
export async function storeUntrainedRun(
  store: RunStore,
  arch: ArchitectureId,
  knobs: Partial<ArchKnobs> = {},
  data: { size: number; channels: 1 | 3 } = { size: 28, channels: 1 },
  seed = 7,
): Promise<RunSummary> {
  await tf.setBackend('cpu')
  const preset = ARCHITECTURE_FAMILIES[arch].presets.cpu
  const { epochs, batchSize, learningRate } = preset.training
  const config = TrainConfig.parse({ arch, dataset: 'mnist', epochs, batchSize, learningRate, inputSize: preset.inputSize, knobs: { ...preset.knobs, ...knobs } })
  const spec = getArchitecture(arch, { inputSize: config.inputSize, channels: data.channels, classes: 10, knobs: config.knobs })
  const model = createModel(spec, spec.input, seed)
  try {
    model.setWeights(
      model.getWeights().map((weight, i) => {
        const name = model.weights[i].originalName
        if (name.endsWith('moving_mean') || name.endsWith('beta')) return tf.randomUniform(weight.shape, -0.3, 0.3, 'float32', seed + i)
        if (name.endsWith('moving_variance') || name.endsWith('gamma')) return tf.randomUniform(weight.shape, 0.5, 1.5, 'float32', seed + i)
        return weight
      }),
    )
    const summary: RunSummary = { runId: store.newRunId(), config, status: 'completed', createdAt: new Date().toISOString(), classNames: Array.from({ length: 10 }, (_, i) => `${i}`) }
    const runDir = store.runDir(summary.runId)
    await saveModel(model, join(runDir, 'model'))
    let state = seed
    const image = Float32Array.from({ length: data.size * data.size * data.channels }, () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) ** 2)
    await writeReferenceSample(runDir, model, { count: 1, images: image, labels: Uint8Array.of(3) }, [data.size, data.size, data.channels])
    await store.save(summary)
    return summary
  } finally {
    model.dispose()
  }
}
