import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { mkdir, writeFile } from 'node:fs/promises'
import { isAbsolute, join, posix } from 'node:path'
import { z } from 'zod'
import { getArchitecture } from '../../shared/arch/specs'
import { createModel } from '../engine/model/modelFactory'
import { fitToModelInput } from '../engine/model/modelStep'
import { saveModel } from '../engine/model/modelFiles'
import { EXPORT_MANIFEST_FILE, ExportManifest, ModelExchangeError } from './exportManifest'
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../storage/regularFile'
import { REFERENCE_SAMPLE_FILE, ReferenceSample } from '../../shared/exchange/referenceSample'

/** Caps on what is read of an export, before reading it: none of these files is legitimately bigger. */
export const IMPORT_LIMITS = {
  manifest: 1 << 20,
  modelJson: 32 << 20,
  referenceSample: 64 << 20,
  /** weights.bin may exceed the declared architecture's float32 parameters by this much, no more. */
  weightsSlack: 64 << 10,
}

const ModelJson = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string()),
      weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.string() }).loose()),
    }),
  ),
}).loose()

async function readCapped(folder: string, file: string, limit: number): Promise<Buffer> {
  const path = join(folder, file)
  try {
    return await readRegularFile(path, limit)
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) throw new ModelExchangeError(`${path}: ${error.message}`)
    throw new ModelExchangeError(`${path}: cannot be read (${(error as Error).message.split('\n')[0]})`)
  }
}

async function readJson<T>(folder: string, file: string, schema: z.ZodType<T>, what: string, limit: number): Promise<T> {
  const bytes = await readCapped(folder, file, limit)
  let raw: unknown
  try {
    raw = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw new ModelExchangeError(`${join(folder, file)}: cannot read ${what} (${(error as Error).message.split('\n')[0]})`)
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) throw new ModelExchangeError(`${join(folder, file)}: not a valid ${what}: ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

/** weights.bin beside model.json, however written ("weights.bin", "./weights.bin"); nothing else. */
export function isPlainWeightsPath(path: string): boolean {
  if (isAbsolute(path) || /^[a-z]+:/i.test(path) || path.includes('\\') || path.split('/').includes('..')) return false
  return posix.normalize(path) === 'weights.bin'
}

/**
 * The units of the model's output layer, read from the topology without building it (undefined when the
 * topology does not say): a functional model names its output layer, a sequential one ends with it.
 */
export function outputUnits(topology: Record<string, unknown>): number | undefined {
  type LayerJson = { name?: unknown; config?: { name?: unknown; units?: unknown } }
  const config = ((topology.model_config as { config?: unknown } | undefined)?.config ?? topology.config) as { layers?: unknown; output_layers?: unknown } | undefined
  const layers = Array.isArray(config?.layers) ? (config.layers as LayerJson[]) : undefined
  if (!layers?.length) return undefined
  const outputName = Array.isArray(config?.output_layers) && Array.isArray(config.output_layers[0]) ? config.output_layers[0][0] : undefined
  const layer = outputName === undefined ? layers.at(-1) : layers.find((l) => l.name === outputName || l.config?.name === outputName)
  const units = layer?.config?.units
  return typeof units === 'number' && Number.isInteger(units) ? units : undefined
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1)
const describeShapes = (shapes: readonly (readonly number[])[]) => `${shapes.reduce((sum, s) => sum + count(s), 0).toLocaleString('en-US')} parameters in ${shapes.length} weight tensors`

/**
 * Checks an export before anything of it is kept, and writes what passed into `stagingDir`: every file a
 * regular file under its size cap, one weights path and it weights.bin, the class names as many as the
 * model's outputs, the weights those of the declared architecture (its model is built and compared tensor
 * by tensor), and that model, given the weights, answers its reference image as exported. The stored
 * model.json is that model's own, never the one given.
 * Runs in the inference worker: the tfjs work never stalls the process serving the window.
 */
export async function checkModelImport(folder: string, stagingDir: string): Promise<ExportManifest> {
  const manifest = await readJson(folder, EXPORT_MANIFEST_FILE, ExportManifest, 'CNN Workbench export manifest', IMPORT_LIMITS.manifest)
  if (manifest.exportFormat && manifest.exportFormat !== 'tfjs') {
    throw new ModelExchangeError(`${folder} holds an export in the ${manifest.exportFormat} format; import reads the TensorFlow.js one (export --format tfjs)`)
  }
  const sample = await readJson(folder, REFERENCE_SAMPLE_FILE, ReferenceSample, 'reference sample', IMPORT_LIMITS.referenceSample)
  const modelJson = await readJson(folder, 'model.json', ModelJson, 'TensorFlow.js model.json', IMPORT_LIMITS.modelJson)
  const groups = modelJson.weightsManifest
  const paths = groups.flatMap((group) => group.paths)
  if (groups.length !== 1 || paths.length !== 1 || !isPlainWeightsPath(paths[0])) {
    throw new ModelExchangeError(`${join(folder, 'model.json')}: its weightsManifest must name one file, weights.bin beside it (found ${JSON.stringify(paths).slice(0, 200)})`)
  }
  const declared = groups[0].weights
  const { config, classNames } = manifest
  const [height, width, channels] = manifest.preprocessing.inputShape
  if (sample.shape.join('x') !== [height, width, channels].join('x') || sample.input.length !== height * width * channels) {
    throw new ModelExchangeError(`${folder}: the reference image (${sample.shape.join('x')}, ${sample.input.length} values) does not match the preprocessing's input shape ${height}x${width}x${channels}`)
  }
  if (sample.probabilities.length !== classNames.length) {
    throw new ModelExchangeError(`${folder}: ${classNames.length} class names, but the reference output has ${sample.probabilities.length} classes`)
  }

  // The declared architecture's own model (zeros: no seconds of random numbers). The export's topology is
  // never built: a hostile one could ask for any amount of memory. Its weights go into this model instead,
  // and what is stored is this model's own model.json.
  let model: tfl.LayersModel
  try {
    const spec = getArchitecture(config.arch, { inputSize: config.inputSize, channels: channels as 1 | 3, classes: classNames.length, knobs: config.knobs })
    await tf.setBackend('cpu')
    model = createModel(spec, spec.input, 0, { initializer: 'zeros' })
  } catch (error) {
    throw new ModelExchangeError(`${folder}: its declared architecture ${config.arch} cannot be built for ${classNames.length} classes (${(error as Error).message.split('\n')[0]})`)
  }
  try {
    const expected = model.weights.map((weight) => [...weight.shape] as number[])
    const expectedBytes = expected.reduce((sum, shape) => sum + count(shape) * 4, 0)
    const declaredShapes = declared.map((weight) => weight.shape)
    if (declared.some((weight) => weight.dtype !== 'float32')) throw new ModelExchangeError(`${folder}: model.json declares weights that are not float32`)
    const classesOut = outputUnits(modelJson.modelTopology)
    if (classesOut !== undefined && classesOut !== classNames.length) {
      throw new ModelExchangeError(`${folder}: ${classNames.length} class names for a model with ${classesOut} outputs; each output needs its name`)
    }
    if (declaredShapes.length !== expected.length || declaredShapes.some((shape, i) => shape.join('x') !== expected[i].join('x'))) {
      throw new ModelExchangeError(
        `${folder}: declares ${config.arch} for ${classNames.length} classes (${describeShapes(expected)}), but its layers hold ${describeShapes(declaredShapes)}: the architecture, class names and weights do not belong together`,
      )
    }

    // Refused by its size before a byte is read: nothing bigger than the declared parameters (plus slack).
    const weights = await readCapped(folder, 'weights.bin', expectedBytes + IMPORT_LIMITS.weightsSlack)
    if (weights.byteLength !== expectedBytes) throw new ModelExchangeError(`${join(folder, 'weights.bin')}: ${weights.byteLength} bytes, but ${config.arch}'s parameters take ${expectedBytes}`)
    // Copied: a Buffer's offset need not be a multiple of 4.
    const values = new Float32Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength))
    let offset = 0
    const tensors = expected.map((shape) => tf.tensor(values.subarray(offset, (offset += count(shape))), shape, 'float32'))
    model.setWeights(tensors)
    tf.dispose(tensors)

    const output = tf.tidy(() => Array.from(tf.softmax(model.predict(fitToModelInput(model, tf.tensor4d(sample.input, [1, ...sample.shape]))) as tf.Tensor2D).dataSync()))
    const drift = Math.max(...output.map((p, i) => Math.abs(p - (sample.probabilities[i] ?? NaN))))
    if (!(drift <= 1e-4)) throw new ModelExchangeError(`${folder}: the model's output for its reference image differs from the exported one by ${drift}`)

    // What is kept is what was checked: the workbench's own topology and manifest, with these weights.
    await mkdir(stagingDir, { recursive: true })
    await saveModel(model, stagingDir)
    await writeFile(join(stagingDir, REFERENCE_SAMPLE_FILE), JSON.stringify(sample))
  } finally {
    model.dispose()
  }
  return manifest
}
