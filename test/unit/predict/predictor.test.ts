import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'
import sharp from 'sharp'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { saveModel } from '../../../main/engine/model/modelFiles'
import { Predictor } from '../../../main/predict/predictor'
import { RunStore } from '../../../main/storage/runStore'
import { TrainConfig, type RunSummary } from '../../../shared/api/schemas'

/** Class 0's logit is the sum of the red channel of every pixel, class 1's its negation. */
function redDetector(): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 3] }), tfl.layers.dense({ units: 2, useBias: false })] })
  const kernel = new Float32Array(8 * 8 * 3 * 2)
  for (let i = 0; i < 64; i++) {
    kernel[i * 3 * 2 + 0] = 1
    kernel[i * 3 * 2 + 1] = -1
  }
  model.layers[1].setWeights([tf.tensor2d(kernel, [192, 2])])
  return model
}

async function runWith(data: RunSummary['data']): Promise<{ predictor: Predictor; runId: string }> {
  const store = new RunStore(await mkdtemp(join(tmpdir(), 'predictor-')))
  const runId = store.newRunId()
  await saveModel(redDetector(), join(store.runDir(runId), 'model'))
  await store.save({
    runId,
    config: TrainConfig.parse({ arch: 'lenet5', dataset: 'folder:/photos', epochs: 1, batchSize: 8, learningRate: 0.1 }),
    status: 'completed',
    createdAt: new Date().toISOString(),
    classNames: ['reddish', 'not red'],
    data,
  })
  return { predictor: new Predictor(store), runId }
}

const green = () => sharp({ create: { width: 20, height: 12, channels: 3, background: { r: 0, g: 200, b: 0 } } }).png().toBuffer()
const summary = (normalized: boolean) => ({ imageShape: [8, 8, 3] as [number, number, number], train: 10, validation: 0, test: 2, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], normalized, skipped: 0 })

describe('Predictor on RGB runs', () => {
  it('decodes to the run\u2019s input shape in colour and shows it as the model sees it', async () => {
    const { predictor, runId } = await runWith(summary(false))
    const result = await predictor.predict(runId, 'leaf.png', await green())
    expect(result.preview).toMatchObject({ width: 8, height: 8, channels: 3, inverted: false })
    expect(result.preview.pixels.slice(0, 3)).toEqual([0, 200, 0])
    // Unnormalized, red = 0 gives both logits 0: a coin toss.
    expect(result.top[0].probability).toBeCloseTo(0.5, 3)
  })

  it('applies the run\u2019s mean/std normalization before predicting', async () => {
    const { predictor, runId } = await runWith(summary(true))
    const result = await predictor.predict(runId, 'leaf.png', await green())
    // Normalized, red = (0 - 0.5) / 0.25 = -2 per pixel: class 1 by a wide margin.
    expect(result.top[0]).toMatchObject({ label: 'not red' })
    expect(result.top[0].probability).toBeGreaterThan(0.999)
  })
})
