import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { RUN_STATUS_INFO, RunResult, TrainConfig, type RunSummary } from '../../shared/api/schemas'
import { loadModel } from '../engine/modelFiles'
import { fitToModelInput } from '../engine/trainer'
import { writeFileAtomic } from '../storage/atomicFile'
import { REFERENCE_SAMPLE_FILE, ReferenceSample } from '../training/referenceSample'
import type { RunStore } from './runStore'

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

const MANIFEST = 'workbench.json'
const MODEL_FILES = ['model.json', 'weights.bin', REFERENCE_SAMPLE_FILE]

export class ModelExchangeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ModelExchangeError'
  }
}

export async function exportRun(store: RunStore, runId: string, folder: string): Promise<string[]> {
  const run = await store.get(runId)
  if (!RUN_STATUS_INFO[run.status].hasModel) throw new ModelExchangeError(`run ${runId} has no trained model to export (status: ${run.status})`)
  const source = join(store.runDir(runId), 'model')
  const sample = ReferenceSample.parse(JSON.parse(await readFile(join(source, REFERENCE_SAMPLE_FILE), 'utf8')))
  await mkdir(folder, { recursive: true })
  for (const file of MODEL_FILES) await copyFile(join(source, file), join(folder, file))
  const manifest: ExportManifest = {
    format: 'cnn-workbench-model',
    version: 1,
    config: run.config,
    classNames: run.classNames,
    preprocessing: { inputShape: sample.shape, pixelScale: '0..1' },
    result: run.result,
    exportedAt: new Date().toISOString(),
  }
  await writeFileAtomic(join(folder, MANIFEST), JSON.stringify(manifest, null, 2))
  return [...MODEL_FILES, MANIFEST].map((file) => join(folder, file))
}

async function readJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new ModelExchangeError(`${path}: cannot read ${what} (${(error as Error).message.split('\n')[0]})`)
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) throw new ModelExchangeError(`${path}: not a valid ${what}: ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

/**
 * Imports an exported model as a new completed run, after checking that it still gives its reference
 * sample's output: a model that loads but computes something else is refused.
 */
export async function importRun(store: RunStore, folder: string): Promise<RunSummary> {
  const manifest = await readJson(join(folder, MANIFEST), ExportManifest, 'CNN Workbench export manifest')
  const sample = await readJson(join(folder, REFERENCE_SAMPLE_FILE), ReferenceSample, 'reference sample')
  await tf.setBackend('cpu')
  const model = await loadModel(folder).catch((error: Error) => {
    throw new ModelExchangeError(`${folder}: the model does not load (${error.message.split('\n')[0]})`)
  })
  try {
    const output = tf.tidy(() => Array.from(tf.softmax(model.predict(fitToModelInput(model, tf.tensor4d(sample.input, [1, ...sample.shape]))) as tf.Tensor2D).dataSync()))
    const drift = Math.max(...output.map((p, i) => Math.abs(p - (sample.probabilities[i] ?? NaN))))
    if (!(drift <= 1e-4)) throw new ModelExchangeError(`${folder}: the model's output for its reference image differs from the exported one by ${drift}`)
  } finally {
    model.dispose()
  }
  const summary: RunSummary = {
    runId: store.newRunId(),
    config: manifest.config,
    status: 'completed',
    createdAt: new Date().toISOString(),
    classNames: manifest.classNames,
    result: manifest.result,
  }
  const target = join(store.runDir(summary.runId), 'model')
  await mkdir(target, { recursive: true })
  for (const file of MODEL_FILES) await copyFile(join(folder, file), join(target, file))
  await store.save(summary)
  return summary
}
