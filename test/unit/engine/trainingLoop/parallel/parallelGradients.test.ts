import { availableParallelism } from 'node:os'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { getArchitecture } from '../../../../../shared/arch/specs'
import { TrainConfig } from '../../../../../shared/api/schemas'
import { createModel } from '../../../../../main/engine/model/modelFactory'
import { initWasmBackend } from '../../../../../main/backends/wasm/initWasmBackend'
import { createRandom } from '../../../../../main/data/pipeline/seededRandom'
import { inMemoryBatchSource } from '../../../../../main/data/pipeline/batchSource'
import { trainModel } from '../../../../../main/engine/trainingLoop/trainer'
import type { TrainOptions } from '../../../../../main/engine/trainingLoop/trainingContract'
import { createGradientEngine, createLocalGradientEngine, createParallelGradientEngine, type GradientResult } from '../../../../../main/engine/trainingLoop/parallel/gradientEngine'

const SHAPE: [number, number, number] = [28, 28, 1]
const PIXELS = 28 * 28

function randomBatch(size: number, seed: number) {
  const random = createRandom(seed)
  const images = Float32Array.from({ length: size * PIXELS }, () => random())
  const labels = Int32Array.from({ length: size }, () => Math.floor(random() * 10))
  return { images, labels }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}

/** The result's numbers, its gradient tensors freed. */
function read(result: GradientResult) {
  const grads = Object.fromEntries(Object.entries(result.grads).map(([name, g]) => [name, g.dataSync() as Float32Array]))
  tf.dispose(result.grads)
  return { loss: result.loss, correct: result.correct, grads }
}

const lenet = (id: 'lenet5' | 'lenet-relu') => createModel(getArchitecture(id), { height: 28, width: 28, channels: 1 }, 3)

beforeAll(async () => {
  await initWasmBackend()
})

describe('parallel gradient engine', () => {
  for (const [id, replicas] of [
    ['lenet5', 3],
    ['lenet-relu', 2],
  ] as const) {
    it(`gives the local gradients on ${id} (${replicas} replicas, batch of 37)`, async () => {
      const model = lenet(id)
      const { images, labels } = randomBatch(37, 5)
      const local = createLocalGradientEngine(model, 10, SHAPE, 0.01)
      const parallel = await createParallelGradientEngine(model, { replicas, classes: 10, imageShape: SHAPE, weightDecay: 0.01 })
      try {
        const tensorsBefore = tf.memory().numTensors
        const expected = read(await local.compute(images, labels, 37))
        const actual = read(await parallel.compute(images, labels, 37))
        expect(tf.memory().numTensors).toBe(tensorsBefore)
        expect(actual.correct).toBe(expected.correct)
        expect(actual.loss).toBeCloseTo(expected.loss, 5)
        const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name)
        expect(Object.keys(actual.grads).sort()).toEqual([...names].sort())
        for (const name of names) expect(maxAbsDiff(actual.grads[name], expected.grads[name]), name).toBeLessThan(1e-4)
        // A batch smaller than the replica count leaves shards empty.
        const one = read(await parallel.compute(images.subarray(0, PIXELS), labels.subarray(0, 1), 1))
        const oneLocal = read(await local.compute(images.subarray(0, PIXELS), labels.subarray(0, 1), 1))
        for (const name of names) expect(maxAbsDiff(one.grads[name], oneLocal.grads[name]), name).toBeLessThan(1e-4)
      } finally {
        await parallel.dispose()
        await local.dispose()
        model.dispose()
      }
    })
  }

  it('trains to the same weights as one thread (momentum, weight decay, clipping, warm-up)', async () => {
    const count = 3 * 64 - 9 // three steps, the last one short
    const { images, labels } = randomBatch(count, 9)
    const split = { count, images, labels: Uint8Array.from(labels) }
    const test = { count: 5, images: images.subarray(0, 5 * PIXELS), labels: split.labels.subarray(0, 5) }
    const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 1, warmupEpochs: 0.5 }), lrSchedule: 'constant' as const }
    const train = async (parallelism: number) => {
      const model = lenet('lenet-relu')
      const options: TrainOptions = {
        epochs: 1,
        batchSize: 64,
        optimizer: 'momentum',
        schedule,
        weightDecay: 0.01,
        gradientClipNorm: 0.5,
        classes: 10,
        imageShape: SHAPE,
        parallelism,
      }
      const losses: number[] = []
      await trainModel(model, { train: inMemoryBatchSource(split, SHAPE, { seed: 4 }), test }, options, {
        onBatch: (report) => losses.push(report.loss),
        onEpoch: () => undefined,
        shouldStop: () => false,
      })
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array)
      model.dispose()
      return { losses, weights }
    }
    const single = await train(1)
    const parallel = await train(2)
    expect(parallel.losses).toHaveLength(3)
    for (let i = 0; i < 3; i++) expect(parallel.losses[i]).toBeCloseTo(single.losses[i], 4)
    single.weights.forEach((w, i) => expect(maxAbsDiff(parallel.weights[i], w), `weight ${i}`).toBeLessThan(1e-4))
    // The steps moved the weights by more than 10x the tolerance (the two runs end ~1e-8 apart).
    const initial = lenet('lenet-relu')
    const moved = Math.max(...initial.getWeights().map((w, i) => maxAbsDiff(w.dataSync(), single.weights[i])))
    expect(moved).toBeGreaterThan(1e-3)
    initial.dispose()
  })

  it('the trainer gets replicas when asked, and none for batch norm (shard statistics would differ)', async () => {
    const options = { classes: 10, imageShape: SHAPE, weightDecay: 0, parallelism: 2 }
    const model = lenet('lenet-relu')
    const engine = await createGradientEngine(model, options)
    expect(engine.replicas).toBe(2)
    await engine.dispose()
    const bn = createModel(getArchitecture('bn-lenet'), { height: 28, width: 28, channels: 1 }, 3)
    expect((await createGradientEngine(bn, options)).replicas).toBe(1)
    expect((await createGradientEngine(model, { ...options, parallelism: 1 })).replicas).toBe(1)
    // Never more replicas than cores.
    const capped = await createGradientEngine(model, { ...options, parallelism: 64 })
    expect(capped.replicas).toBe(Math.min(64, availableParallelism()))
    await capped.dispose()
    model.dispose()
    bn.dispose()
  })

  describe('replica failures', () => {
    /** Identity here; the fixture worker's class of the same name throws. */
    class FaultyIdentity extends tfl.layers.Layer {
      static readonly className = 'FaultyIdentity'
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
        return inputs
      }
    }
    tf.serialization.registerClass(FaultyIdentity)
    const build = () =>
      tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 4, 1] }), new FaultyIdentity({}), tfl.layers.dense({ units: 3 })] })
    const options = { replicas: 2, classes: 3, imageShape: [4, 4, 1] as [number, number, number], weightDecay: 0 }

    it('a replica that throws while computing rejects the step with its message', async () => {
      const model = build()
      const engine = await createParallelGradientEngine(model, { ...options, replicaEntry: new URL('../../../fixtures/faultyLayerReplica.ts', import.meta.url) })
      try {
        const tensorsBefore = tf.memory().numTensors
        await expect(engine.compute(new Float32Array(4 * 16), new Int32Array(4), 4)).rejects.toThrow(/gradient replica 1 of 1 failed: simulated fault in a replica/)
        expect(tf.memory().numTensors).toBe(tensorsBefore)
      } finally {
        await engine.dispose()
        model.dispose()
      }
      await expect(engine.compute(new Float32Array(4 * 16), new Int32Array(4), 4)).rejects.toThrow(/disposed/)
    })

    it('a replica that cannot build the model fails the engine creation', async () => {
      const model = build()
      try {
        // The real replica does not know the test's custom layer.
        await expect(createParallelGradientEngine(model, options)).rejects.toThrow(/gradient replica 1 of 1 failed: .*FaultyIdentity/)
      } finally {
        model.dispose()
      }
    })
  })
})
