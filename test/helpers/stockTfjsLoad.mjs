// Loads a TensorFlow.js export with stock tfjs-layers only (this process never imports the workbench's
// layer registrations) and prints the softmax of its reference image: one JSON line.
// Usage: node stockTfjsLoad.mjs <export folder>
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const folder = process.argv[2]
const lrnLoader = join(folder, 'localResponseNorm.js')
if (existsSync(lrnLoader)) (await import(pathToFileURL(lrnLoader).href)).registerLocalResponseNorm(tf, tfl)
await tf.setBackend('cpu')
const modelJson = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'))
const weights = readFileSync(join(folder, 'weights.bin'))
const model = await tfl.loadLayersModel(
  tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
)
const sample = JSON.parse(readFileSync(join(folder, 'reference-sample.json'), 'utf8'))
const probabilities = tf.softmax(model.predict(tf.tensor4d(sample.input, [1, ...sample.shape]))).dataSync()
const classes = [...new Set(modelJson.modelTopology.config.layers.map((layer) => layer.class_name))]
console.log(JSON.stringify({ classes, probabilities: Array.from(probabilities) }))
