import '@tensorflow/tfjs-backend-cpu'
import sharp from 'sharp'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createModel } from '../../main/engine/model/modelFactory'
import { saveModel } from '../../main/engine/model/modelFiles'
import { createWorkerInference } from '../../main/predict/inferenceClient'
import { RunStore } from '../../main/storage/runStore'
import { createNodeWorkerLauncher } from '../../main/processes/workerLauncher'
import { TrainConfig } from '../../shared/api/schemas'
import { getArchitecture, type ArchitectureId } from '../../shared/arch/specs'

export interface LatencyLine {
  name: string
  inputSize: number
  p50Ms: number
  p90Ms: number
  samples: number
  targetMs: number
}

interface LatencyCase {
  arch: ArchitectureId
  dataset: string
  shape: [number, number, number]
  targetMs: number
}

const CASES: LatencyCase[] = [
  { arch: 'lenet5', dataset: 'mnist', shape: [28, 28, 1], targetMs: 30 },
  { arch: 'resnet18', dataset: 'folder:/photos', shape: [96, 96, 3], targetMs: 150 },
]
const DROPS = 15

/**
 * What a user drops, decoding and resizing included in the time: a digit drawn on a 280x280 canvas
 * (PNG) for the MNIST network, a 640x480 photo (JPEG) for the ResNet.
 */
async function droppedImage(dataset: string): Promise<Uint8Array> {
  if (dataset === 'mnist') {
    const pixels = Buffer.alloc(280 * 280, 255)
    for (let y = 50; y < 230; y++) for (let x = 120; x < 160; x++) pixels[y * 280 + x] = 0
    return sharp(pixels, { raw: { width: 280, height: 280, channels: 1 } }).png().toBuffer()
  }
  const width = 640
  const height = 480
  const pixels = Buffer.alloc(width * height * 3)
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 251
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer()
}

/**
 * One dropped image through the inference worker process, as the app sends it (decode, preprocess,
 * predict, top-5), after the first drop has loaded the model: p50 and p90 over DROPS drops.
 */
export async function benchInferenceLatency(): Promise<LatencyLine[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-latency-'))
  const store = new RunStore(dataDir)
  const inference = createWorkerInference(createNodeWorkerLauncher('inferenceWorker'), dataDir)
  const lines: LatencyLine[] = []
  try {
    for (const c of CASES) {
      const [height, width, channels] = c.shape
      const spec = getArchitecture(c.arch, { inputSize: height, channels, classes: 10 })
      const runId = store.newRunId()
      const model = createModel(spec, { height, width, channels }, 1)
      await saveModel(model, join(store.runDir(runId), 'model'))
      model.dispose()
      await store.save({
        runId,
        config: TrainConfig.parse({ arch: c.arch, dataset: c.dataset, epochs: 1, batchSize: 8, learningRate: 0.1 }),
        status: 'completed',
        createdAt: new Date().toISOString(),
        classNames: Array.from({ length: 10 }, (_, i) => `class ${i}`),
        data: { imageShape: c.shape, train: 10, validation: 0, test: 0, mean: [0.5, 0.5, 0.5].slice(0, channels), std: [0.25, 0.25, 0.25].slice(0, channels), normalized: true, skipped: 0 },
      })
      const fileName = c.dataset === 'mnist' ? 'digit.png' : 'photo.jpg'
      const image = await droppedImage(c.dataset)
      await inference.predict(runId, fileName, image, 5)
      const times: number[] = []
      for (let i = 0; i < DROPS; i++) {
        const started = performance.now()
        await inference.predict(runId, fileName, image, 5)
        times.push(performance.now() - started)
      }
      times.sort((a, b) => a - b)
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]
      lines.push({ name: c.arch, inputSize: height, p50Ms: at(0.5), p90Ms: at(0.9), samples: DROPS, targetMs: c.targetMs })
    }
  } finally {
    inference.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return lines
}
