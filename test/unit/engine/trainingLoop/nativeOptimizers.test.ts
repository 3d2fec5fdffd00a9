import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-layers' // registers the gradients the native rung wraps
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types'
import { loadNativeKernelsForTests } from '../../../helpers/nativeKernelsForTests'
import { setWasmBlasKernels } from '../../../../main/backends/native/wasmBlasKernels'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { createOptimizer, setLearningRate } from '../../../../main/engine/trainingLoop/optimizers'
import { applyGradientsClipped } from '../../../../main/engine/trainingLoop/nativeOptimizers'
import { DynamicLossScaler } from '../../../../main/engine/trainingLoop/lossScaler'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { getArchitecture, type OptimizerName } from '../../../../shared/arch/specs'
import { TrainConfig } from '../../../../shared/api/schemas'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import type { BatchReport, TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'

/**
 * The optimizers' native step on the wasm-blas rung (nativeOptimizers.ts, src/optimizerKernels.cc)
 * against tfjs's own optimizers on the pure-JS cpu backend, on the same gradients: weights and slots
 * after several steps, with a rate change, coupled weight decay (in the gradient, as the run applies it)
 * and clipping; a checkpoint's round trip; loss scaling's undo. Skipped where the addon is missing.
 */
const loaded = loadNativeKernelsForTests('native optimizer tests')
const native = loaded.native!
/** The addon with its optimizer step counted (the addon's own functions cannot be spied on). */
let nativeSteps = 0
const counted = native && {
  ...native,
  addon: Object.create(native.addon, {
    optimizerStep: {
      value: (...args: Parameters<typeof native.addon.optimizerStep>) => {
        nativeSteps++
        return native.addon.optimizerStep(...args)
      },
    },
  }) as typeof native.addon,
}

/** A filter, a bias, one parameter big enough to be split over several threads, and an odd size. */
const SHAPES = [[3, 3, 8, 16], [16], [300, 301], [7]]
const OPTIMIZERS: OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop']

interface Run {
  steps: number
  clipNorm?: number
  weightDecay?: number
  /** From this step on the rate is a tenth (a schedule). */
  rateChangeAt?: number
}

function arrays(seed: number, scale = 1): Float32Array[] {
  const rand = createRandom(seed)
  return SHAPES.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale))
}

let nextId = 0

/** The variables, and the optimizer over them, on the current backend. */
function setUp(name: OptimizerName, initial = arrays(1)) {
  const id = nextId++
  // In a tidy: a variable shares its first buffer with the tensor it was made from while that lives.
  const variables = SHAPES.map((shape, i) => tf.tidy(() => tf.variable(tf.tensor(initial[i], shape), true, `opt${id}_${i}`)))
  return { variables, optimizer: createOptimizer(name, 0.05) }
}

/** Steps `from`..`to` - 1 on seeded gradients, weight decay added to them as modelStep's loss gives it. */
function train(setup: ReturnType<typeof setUp>, name: OptimizerName, run: Run, from = 0, to = run.steps): void {
  for (let step = from; step < to; step++) {
    if (run.rateChangeAt !== undefined && step === run.rateChangeAt) setLearningRate(setup.optimizer, 0.005)
    const grads = tf.tidy(() =>
      Object.fromEntries(
        arrays(100 + step, 3).map((g, i) => {
          const v = setup.variables[i]
          const gradient = tf.tensor(g, v.shape)
          return [v.name, run.weightDecay ? tf.add(gradient, tf.mul(run.weightDecay, v)) : gradient]
        }),
      ),
    )
    applyGradientsClipped(setup.optimizer, grads, run.clipNorm)
    tf.dispose(grads)
  }
  expect(name).toBeTruthy()
}

/** Every number the optimizer would save, and the weights. */
async function state(setup: ReturnType<typeof setUp>): Promise<Float32Array[]> {
  const saved = await setup.optimizer.getWeights()
  return [...setup.variables.map((v) => v.dataSync() as Float32Array), ...saved.map((w) => Float32Array.from(w.tensor.dataSync()))]
}

function dispose(setup: ReturnType<typeof setUp>): void {
  setup.optimizer.dispose()
  tf.dispose(setup.variables)
}

/** max |a - b| / max(|b|, 1e-3) over every array: relative, with a floor for values near zero. */
function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length))
  let worst = 0
  a.forEach((x, k) => x.forEach((value, i) => {
    const d = Math.abs(value - b[k][i]) / Math.max(Math.abs(b[k][i]), 1e-3)
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d)
  }))
  return worst
}

async function on(backend: 'cpu' | 'wasm', name: OptimizerName, run: Run): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const setup = setUp(name)
  train(setup, name, run)
  const result = await state(setup)
  dispose(setup)
  return result
}

describe.skipIf(!!loaded.unavailable)('the native optimizer step against tfjs on the cpu backend', () => {
  beforeAll(async () => {
    await initWasmBackend()
    setWasmBlasKernels(counted)
  })
  beforeEach(() => {
    nativeSteps = 0
  })

  const RUNS: [string, Run][] = [
    ['plain, with a schedule', { steps: 6, rateChangeAt: 3 }],
    ['weight decay 0.01', { steps: 5, weightDecay: 0.01 }],
    ['clipping to norm 1', { steps: 5, clipNorm: 1 }],
    ['clipping that does not bite', { steps: 3, clipNorm: 1e6 }],
  ]
  for (const name of OPTIMIZERS) {
    it.each(RUNS)(`${name}: %s`, async (_label, run) => {
      const expected = await on('cpu', name, run)
      const actual = await on('wasm', name, run)
      expect(nativeSteps).toBe(run.steps)
      const diff = maxRelDiff(actual, expected)
      expect(diff, `${name}: max relative difference ${diff}`).toBeLessThan(1e-6)
    })
  }

  it.each(OPTIMIZERS)('%s: the native step leaves no tensor behind', async (name) => {
    await tf.setBackend('wasm')
    const setup = setUp(name)
    train(setup, name, { steps: 1, clipNorm: 1 })
    const before = tf.memory().numTensors
    train(setup, name, { steps: 4, clipNorm: 1 }, 1, 4)
    expect(nativeSteps).toBe(4)
    expect(tf.memory().numTensors).toBe(before)
    dispose(setup)
  })

  it.each(OPTIMIZERS)('%s: a checkpoint saved and restored continues as the uninterrupted run', async (name) => {
    await tf.setBackend('wasm')
    const run: Run = { steps: 6, weightDecay: 0.01, clipNorm: 2 }
    const whole = setUp(name)
    train(whole, name, run)
    const expected = await state(whole)
    dispose(whole)

    const first = setUp(name)
    train(first, name, run, 0, 3)
    const encoded = await tf.io.encodeWeights(await first.optimizer.getWeights())
    const weights = first.variables.map((v) => v.dataSync() as Float32Array)
    dispose(first)
    const map = tf.io.decodeWeights(encoded.data, encoded.specs)
    const resumed = setUp(name, weights)
    await resumed.optimizer.setWeights(encoded.specs.map((spec): NamedTensor => ({ name: spec.name, tensor: map[spec.name] })))
    nativeSteps = 0
    train(resumed, name, run, 3, 6)
    const actual = await state(resumed)
    dispose(resumed)
    tf.dispose(Object.values(map))
    expect(maxRelDiff(actual, expected)).toBe(0)
    // Natively from the first step after the restore: the restored slots do not share the checkpoint's buffers.
    expect(nativeSteps).toBe(3)
  })

  it('the trainer steps natively, once a batch, with weight decay, clipping and a warm-up schedule', async () => {
    await tf.setBackend('wasm')
    const shape: [number, number, number] = [28, 28, 1]
    const count = 32
    const random = createRandom(5)
    const split = { count, images: Float32Array.from({ length: count * 784 }, () => random()), labels: Uint8Array.from({ length: count }, () => Math.floor(random() * 10)) }
    const schedule = { ...TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 2, batchSize: 8, learningRate: 0.01, warmupEpochs: 1 }), lrSchedule: 'constant' as const }
    const options: TrainOptions = {
      epochs: 2, batchSize: 8, optimizer: 'adam', schedule, weightDecay: 0.01, gradientClipNorm: 1, classes: 10, imageShape: shape, readBehind: 2,
    }
    const spec = getArchitecture('lenet5', { classes: 10 })
    const model = createModel(spec, spec.input, 3)
    const batches: BatchReport[] = []
    const test = { count: 4, images: split.images.subarray(0, 4 * 784), labels: split.labels.subarray(0, 4) }
    await trainModel(model, { train: inMemoryBatchSource(split, shape, { seed: 1 }), test }, options, {
      onBatch: (report) => batches.push(report),
      onEpoch: () => undefined,
      shouldStop: () => false,
    })
    model.dispose()
    expect(batches).toHaveLength(8)
    expect(batches.every((b) => Number.isFinite(b.loss))).toBe(true)
    expect(nativeSteps).toBe(8)
  })

  it('the loss scaler undoes a step whose gradients overflowed: the native step leaves the buffers it keeps alone', async () => {
    await tf.setBackend('wasm')
    const setup = setUp('adam')
    train(setup, 'adam', { steps: 2 })
    const before = await state(setup)
    const scaler = new DynamicLossScaler({ initialScale: 4, growthFactor: 2, backoffFactor: 0.5, growthInterval: 10 })
    const grads = Object.fromEntries(setup.variables.map((v, i) => [v.name, tf.fill(v.shape, i === 2 ? Infinity : 1)]))
    const step = scaler.step(grads, (unscaled) => applyGradientsClipped(setup.optimizer, unscaled, undefined))
    expect(await scaler.read(step)).toBe(false)
    const after = await state(setup)
    // The saved iteration count is the one thing the trainer takes back itself (uncountStep).
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4))
    expect(after.slice(5)).toEqual(before.slice(5))
    scaler.dispose()
    dispose(setup)
  })
})
