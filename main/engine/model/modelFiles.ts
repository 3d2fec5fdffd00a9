import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { join } from 'node:path'
import { writeFileAtomic } from '../../storage/atomicFile'
import { readRegularFile } from '../../storage/regularFile'
// Registers the zoo's custom layers so saved models that use them load again.
import './layers/localResponseNorm'
import './layers/inputConv2d'

/** The TensorFlow.js layers format: model.json (topology + manifest) beside one weights.bin. */
export async function saveModel(model: tfl.LayersModel, folder: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : Buffer.alloc(0)
      // Weights first: a model.json never points at weights that are not fully written.
      await writeFileAtomic(join(folder, 'weights.bin'), weights)
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: 'cnn-workbench',
        weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      }
      await writeFileAtomic(join(folder, 'model.json'), JSON.stringify(modelJson))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
}

export async function loadModel(folder: string): Promise<tfl.LayersModel> {
  // Regular files only, opened without blocking: a FIFO in place of either must not hang the process.
  const modelJson = JSON.parse((await readRegularFile(join(folder, 'model.json'))).toString('utf8')) as tf.io.ModelJSON
  const weights = await readRegularFile(join(folder, 'weights.bin'))
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0]?.weights ?? [],
      weightData,
    }),
  )
}
