import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type * as tfl from '@tensorflow/tfjs-layers'
import { join } from 'node:path'
import { RUN_STATUS_INFO, type ModelInputPreview, type Prediction, type RunSummary } from '../../shared/api/schemas'
import { loadModel } from '../engine/model/modelFiles'
import { inferenceFor, softmaxRows } from '../engine/inference/modelInference'
import type { RunStore } from '../storage/runStore'
import { BadImageError } from './badImageError'
import { toModelInput } from './modelInput'
import { standardisationOf, toModelPixels } from '../../shared/modelPixels'

export interface PreparedInput {
  run: RunSummary
  model: tfl.LayersModel
  shape: [number, number, number]
  preview: ModelInputPreview
  /** Pixels as the model reads them: /255, then the run's mean/std when it trained normalized. */
  input: Float32Array
}

/** Makes the backend models run on current (before the first model loads). */
export type PrepareBackend = () => Promise<unknown>

/**
 * Predictions for dropped images from a trained run's saved model; models are cached per run. In-process
 * (tests, no worker) they run on the pure-JS backend; the inference worker hands in the backend ladder,
 * so a ResNet answers a drop as fast as it trains.
 */
export class Predictor {
  private readonly models = new Map<string, Promise<tfl.LayersModel>>()
  private backendReady: Promise<unknown> | undefined

  constructor(
    private readonly store: RunStore,
    private readonly prepareBackend: PrepareBackend = () => tf.setBackend('cpu'),
  ) {}

  async predict(runId: string, fileName: string, bytes: Uint8Array, topK = 3): Promise<Prediction> {
    const { run, model, shape, preview, input } = await this.prepare(runId, fileName, bytes)
    const logits = await inferenceFor(model).logits(input, [1, ...shape])
    const probabilities = softmaxRows(logits, logits.length)
    const top = Array.from(probabilities, (probability, classIndex) => ({
      classIndex,
      label: run.classNames[classIndex] ?? String(classIndex),
      probability,
    }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, topK)
    return { preview, top }
  }

  /**
   * A run's cached model and an image prepared exactly as it trained: decoded to its input shape (the
   * preview shows that) and scaled/normalized (`input`, NHWC for one image). Shared with the Inspector.
   */
  async prepare(runId: string, fileName: string, bytes: Uint8Array): Promise<PreparedInput> {
    const run = await this.store.get(runId)
    if (!RUN_STATUS_INFO[run.status].hasModel) {
      throw new BadImageError(`run ${runId} has no trained model yet (status: ${run.status})`)
    }
    const model = await this.modelFor(runId)
    const shape = run.data?.imageShape ?? [28, 28, 1]
    const preview = await toModelInput(bytes, fileName, run.config.dataset, shape)
    const input = toModelPixels(preview.pixels, shape[2], standardisationOf(run.data))
    return { run, model, shape, preview, input }
  }

  private modelFor(runId: string): Promise<tfl.LayersModel> {
    let model = this.models.get(runId)
    if (!model) {
      tf.env().set('PROD', true)
      this.backendReady ??= this.prepareBackend()
      model = this.backendReady.then(() => loadModel(join(this.store.runDir(runId), 'model')))
      model.catch(() => this.models.delete(runId))
      this.models.set(runId, model)
    }
    return model
  }
}
