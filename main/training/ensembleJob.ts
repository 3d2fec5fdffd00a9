import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { join } from 'node:path'
import type { TrainConfig } from '../../shared/api/schemas'
import { getArchitecture } from '../../shared/arch/specs'
import { argMax, averageProbabilities } from '../../shared/ensemble'
import { isFolderDataset } from '../data/datasetIds'
import { openDataset } from '../data/datasetRegistry'
import { selectBackend } from '../backends/backendLadder'
import { fitToModelInput } from '../engine/model/modelStep'
import { loadModel } from '../engine/model/modelFiles'

export interface EnsembleJobRequest {
  /** The members' run folders and configs; they share their data settings (only their seeds differ). */
  members: { runDir: string; config: TrainConfig }[]
  dataDir: string
}

export interface EnsembleJobResult {
  testAccuracy: number
  /** Each member's own accuracy on the same images, in the request's order. */
  memberAccuracies: number[]
  testImages: number
}

/**
 * The test accuracy of the members' averaged probabilities. Runs in a worker process (it loads
 * TensorFlow.js and the data set); the test split is read once, in its stored order, as evaluation reads it.
 */
export async function runEnsembleJob(request: EnsembleJobRequest): Promise<EnsembleJobResult> {
  const config = request.members[0].config
  await selectBackend(config.backend)
  const dataset = await openDataset(config.dataset, {
    dataDir: request.dataDir,
    seed: config.seed,
    validationFraction: config.validationFraction,
    limit: config.limit,
    // The test split each member was scored on in training: the ensemble is compared with those scores.
    testLimit: config.testLimit,
    normalize: config.normalize,
    shuffle: config.shuffle,
    stats: !isFolderDataset(config.dataset),
    size: isFolderDataset(config.dataset) ? (config.inputSize ?? getArchitecture(config.arch).input.height) : undefined,
  })
  const models: tfl.LayersModel[] = []
  try {
    for (const member of request.members) models.push(await loadModel(join(member.runDir, 'model')))
    const classes = dataset.classNames.length
    let ensembleCorrect = 0
    const memberCorrect = models.map(() => 0)
    let count = 0
    for await (const batch of dataset.test.batches(0, 250)) {
      const probabilities = await Promise.all(models.map((model) => predictProbabilities(model, batch.images, [batch.size, ...dataset.test.imageShape])))
      const mean = averageProbabilities(probabilities)
      for (let i = 0; i < batch.size; i++) {
        const label = batch.labels[i]
        if (argMax(mean, i * classes, (i + 1) * classes) === label) ensembleCorrect++
        probabilities.forEach((member, m) => argMax(member, i * classes, (i + 1) * classes) === label && memberCorrect[m]++)
      }
      count += batch.size
    }
    if (!count) throw new Error(`${config.dataset} has no test images to evaluate the ensemble on`)
    return { testAccuracy: ensembleCorrect / count, memberAccuracies: memberCorrect.map((correct) => correct / count), testImages: count }
  } finally {
    for (const model of models) model.dispose()
  }
}

async function predictProbabilities(model: tfl.LayersModel, images: Float32Array, shape: [number, number, number, number]): Promise<Float32Array> {
  const probabilities = tf.tidy(() => tf.softmax(model.apply(fitToModelInput(model, tf.tensor4d(images, shape)), { training: false }) as tf.Tensor2D))
  try {
    return (await probabilities.data()) as Float32Array
  } finally {
    probabilities.dispose()
  }
}
