import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { ARCHITECTURE_IDS, getArchitecture, type ArchitectureId } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { selectBackend } from '../../../../main/backends/backendLadder'
import { loadNativeKernels } from '../../../../main/backends/native/nativeKernels'
import { setWasmBlasKernels } from '../../../../main/backends/native/wasmBlasKernels'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'

/** Small inputs and widths: enough to exercise every kind of layer and its gradient, quick on a CPU. */
const SMOKE: Record<ArchitectureId, { inputSize: number; width: number; learningRate: number; steps?: number }> = {
  // Sigmoid LeNet sits on the notes' well-known plateau near chance for ~80 steps before it learns.
  lenet5: { inputSize: 28, width: 1, learningRate: 0.01, steps: 150 },
  'lenet-relu': { inputSize: 28, width: 1, learningRate: 0.005 },
  'bn-lenet': { inputSize: 28, width: 1, learningRate: 0.01 },
  alexnet: { inputSize: 67, width: 0.125, learningRate: 0.002 },
  vgg11: { inputSize: 32, width: 0.125, learningRate: 0.002 },
  vgg13: { inputSize: 32, width: 0.125, learningRate: 0.002 },
  vgg16: { inputSize: 32, width: 0.125, learningRate: 0.002 },
  vgg19: { inputSize: 32, width: 0.125, learningRate: 0.002 },
  googlenet: { inputSize: 32, width: 0.125, learningRate: 0.002 },
  resnet18: { inputSize: 32, width: 0.125, learningRate: 0.005 },
  resnet34: { inputSize: 32, width: 0.125, learningRate: 0.005 },
  resnet50: { inputSize: 32, width: 0.125, learningRate: 0.005 },
}

const SAMPLES = 16
const CLASSES = 4
const STEPS = 20

/**
 * Adam steps on one fixed batch of random images: each class a random template plus 20% noise. A network
 * whose gradients flow learns it. Dropout is switched off: with 16 samples it only adds noise to what is
 * being measured.
 */
function trainOnRandomData(id: ArchitectureId): { first: number; last: number; losses: number[] } {
  const { inputSize, width, learningRate } = SMOKE[id]
  const spec = getArchitecture(id, { inputSize, classes: CLASSES, knobs: { width, dropout: 0 } })
  const model = createModel(spec, spec.input, 1)
  const random = createRandom(7)
  const pixels = inputSize * inputSize
  const templates = Array.from({ length: CLASSES }, () => Float32Array.from({ length: pixels }, () => random()))
  const labels = Int32Array.from({ length: SAMPLES }, (_, i) => i % CLASSES)
  const images = Float32Array.from({ length: SAMPLES * pixels }, (_, j) => 0.8 * templates[labels[Math.floor(j / pixels)]][j % pixels] + 0.2 * random())
  const x = tf.tensor4d(images, [SAMPLES, inputSize, inputSize, 1])
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES)
  const optimizer = tf.train.adam(learningRate)
  const losses: number[] = []
  try {
    for (let step = 0; step < (SMOKE[id].steps ?? STEPS); step++) {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D) as tf.Scalar,
        true,
      )!
      losses.push(loss.dataSync()[0])
      loss.dispose()
    }
  } finally {
    optimizer.dispose()
    tf.dispose([x, y])
    model.dispose()
  }
  expect(losses.every(Number.isFinite)).toBe(true)
  return { first: losses[0], last: Math.min(...losses.slice(-3)), losses }
}

function nativeUnavailable(): string | undefined {
  try {
    loadNativeKernels()
    return undefined
  } catch (error) {
    const reason = (error as Error).message
    if (process.env.WORKBENCH_REQUIRE_NATIVE) throw new Error(`native kernels are required here: ${reason}`)
    console.log(`skipping wasm-blas zoo training: ${reason}`)
    return reason
  }
}

describe('every architecture trains on the wasm backend', () => {
  beforeAll(async () => {
    await initWasmBackend()
    setWasmBlasKernels(null)
  })

  it.each(ARCHITECTURE_IDS)('%s lowers the loss on random data', (id) => {
    const started = performance.now()
    const { first, last } = trainOnRandomData(id)
    console.log(`${id}: loss ${first.toFixed(3)} -> ${last.toFixed(3)} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    expect(last).toBeLessThan(first * 0.8)
  })
})

describe.skipIf(nativeUnavailable())('every architecture trains on the wasm-blas backend (native kernels)', () => {
  beforeAll(async () => {
    expect((await selectBackend('wasm-blas')).name).toBe('wasm-blas')
  })

  it.each(ARCHITECTURE_IDS)('%s lowers the loss on random data', (id) => {
    const started = performance.now()
    const { first, last } = trainOnRandomData(id)
    console.log(`${id} (wasm-blas): loss ${first.toFixed(3)} -> ${last.toFixed(3)} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    expect(last).toBeLessThan(first * 0.8)
  })

  it('is reproducible: the same seed gives the same losses, step for step (batch norm included)', () => {
    const first = trainOnRandomData('bn-lenet').losses
    const second = trainOnRandomData('bn-lenet').losses
    expect(second).toEqual(first)
  })
})
