import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'
import sharp from 'sharp'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { saveModel } from '../../main/engine/model/modelFiles'
import { createWorkerInference } from '../../main/predict/inferenceClient'
import { createLocalInference } from '../../main/predict/inferenceService'
import { BadImageError } from '../../main/predict/badImageError'
import { RunNotFoundError, RunStore } from '../../main/storage/runStore'
import { createNodeWorkerLauncher, type WorkerHandle } from '../../main/processes/workerLauncher'
import { TrainConfig } from '../../shared/api/schemas'

async function storeWithModel(): Promise<{ dataDir: string; runId: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'inference-'))
  const store = new RunStore(dataDir)
  const runId = store.newRunId()
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })] })
  await saveModel(model, join(store.runDir(runId), 'model'))
  await store.save({
    runId,
    config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.1 }),
    status: 'completed',
    createdAt: new Date().toISOString(),
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  })
  return { dataDir, runId }
}

const digit = async () => {
  const pixels = Buffer.alloc(28 * 28)
  for (let y = 5; y < 23; y++) for (let x = 12; x < 16; x++) pixels[y * 28 + x] = 255
  return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()
}

describe('inference worker process', () => {
  it('answers exactly as in-process inference, with the same error kinds, and survives its own crash', async () => {
    await tf.setBackend('cpu')
    const { dataDir, runId } = await storeWithModel()
    const handles: WorkerHandle[] = []
    const launch = createNodeWorkerLauncher('inferenceWorker')
    const remote = createWorkerInference(() => {
      const handle = launch()
      handles.push(handle)
      return handle
    }, dataDir)
    const local = createLocalInference(new RunStore(dataDir))
    try {
      const image = await digit()
      const [viaWorker, inProcess] = await Promise.all([remote.predict(runId, 'one.png', image, 3), local.predict(runId, 'one.png', image, 3)])
      expect(viaWorker.top.map((t) => t.classIndex)).toEqual(inProcess.top.map((t) => t.classIndex))
      viaWorker.top.forEach((t, i) => expect(t.probability).toBeCloseTo(inProcess.top[i]!.probability, 6))

      // The worker runs on the backend ladder's rung, in-process inference on cpu: the same inspection.
      const options = { maxChannels: 4, occlusion: true }
      const [inspectedInWorker, inspectedHere] = await Promise.all([remote.inspect(runId, 'one.png', image, options), local.inspect(runId, 'one.png', image, options)])
      expect(inspectedInWorker.layers.map((l) => l.name)).toEqual(inspectedHere.layers.map((l) => l.name))
      expect(inspectedInWorker.top.map((t) => t.classIndex)).toEqual(inspectedHere.top.map((t) => t.classIndex))
      expect(inspectedInWorker.occlusion?.values.length).toBe(inspectedHere.occlusion?.values.length)
      inspectedInWorker.occlusion?.values.forEach((v, i) => expect(v).toBeCloseTo(inspectedHere.occlusion!.values[i]!, 4))

      await expect(remote.predict(runId, 'notes.txt', Buffer.from('not an image'), 3)).rejects.toBeInstanceOf(BadImageError)
      await expect(remote.predict('no-such-run', 'one.png', image, 3)).rejects.toBeInstanceOf(RunNotFoundError)

      // Killed mid-request: that call fails with a clear message; the next one starts a fresh worker.
      const inFlight = remote.inspect(runId, 'one.png', image, { maxChannels: 4, occlusion: true })
      handles.at(-1)!.kill()
      await expect(inFlight).rejects.toThrow(/the inference process was killed \(SIGKILL\); try again/)
      expect((await remote.predict(runId, 'one.png', image, 3)).top).toHaveLength(3)
      expect(handles).toHaveLength(2)
    } finally {
      remote.close()
    }
  }, 60_000)
})
