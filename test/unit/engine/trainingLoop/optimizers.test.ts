import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-layers' // registers the gradients
import { createOptimizer, setLearningRate } from '../../../../main/engine/trainingLoop/optimizers'
import { learningRateAt } from '../../../../main/engine/trainingLoop/lrSchedule'
import { clipByGlobalNorm } from '../../../../main/engine/trainingLoop/stepRunners'
import type { OptimizerName } from '../../../../shared/arch/specs'
import { TrainConfig } from '../../../../shared/api/schemas'

/** Minimises (w - 3)^2 from w = 0 and returns w after each step. */
function descend(name: OptimizerName, learningRate: number, steps: number): number[] {
  const w = tf.variable(tf.scalar(0))
  const optimizer = createOptimizer(name, learningRate)
  const trace: number[] = []
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.square(tf.sub(w, 3)) as tf.Scalar)
    trace.push(w.dataSync()[0])
  }
  optimizer.dispose()
  w.dispose()
  return trace
}

describe('optimizers on (w - 3)^2, against values worked out by hand (PyTorch conventions)', () => {
  it('SGD: w_n = 3 - 3 * 0.8^n', () => {
    const trace = descend('sgd', 0.1, 5)
    trace.forEach((w, i) => expect(w).toBeCloseTo(3 - 3 * 0.8 ** (i + 1), 5))
  })
  it('momentum 0.9: 0.6, then 1.62', () => {
    const [w1, w2] = descend('momentum', 0.1, 2)
    expect(w1).toBeCloseTo(0.6, 5)
    expect(w2).toBeCloseTo(1.62, 5)
  })
  it('Nesterov: the first step looks ahead, 1.14', () => {
    expect(descend('nesterov', 0.1, 1)[0]).toBeCloseTo(1.14, 5)
  })
  it('Adam: the first step has the size of the learning rate', () => {
    expect(descend('adam', 0.1, 1)[0]).toBeCloseTo(0.1, 4)
  })
  it('RMSprop (alpha 0.99): first step 0.1 * 6 / sqrt(0.01 * 36) = 1', () => {
    expect(descend('rmsprop', 0.1, 1)[0]).toBeCloseTo(1, 4)
  })
  it('every optimizer converges to 3', () => {
    for (const name of ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop'] as const) {
      expect(descend(name, 0.05, 400).at(-1)).toBeCloseTo(3, 1)
    }
  })
  it('a schedule changes the rate an optimizer actually uses', () => {
    const w = tf.variable(tf.scalar(0))
    const optimizer = createOptimizer('adam', 0.1)
    setLearningRate(optimizer, 0.01)
    optimizer.minimize(() => tf.square(tf.sub(w, 3)) as tf.Scalar)
    expect(w.dataSync()[0]).toBeCloseTo(0.01, 4)
  })
  it.each(['sgd', 'momentum', 'nesterov'] as const)('a schedule changes the rate %s uses (tfjs steps it by a scalar made from the rate)', (name) => {
    const w = tf.variable(tf.scalar(0))
    const optimizer = createOptimizer(name, 0.1)
    setLearningRate(optimizer, 0.01)
    optimizer.minimize(() => tf.square(tf.sub(w, 3)) as tf.Scalar)
    // The gradient at 0 is -6: SGD and momentum's first step is 0.06; Nesterov's looks ahead, 0.06 * 1.9.
    expect(w.dataSync()[0]).toBeCloseTo(name === 'nesterov' ? 0.114 : 0.06, 5)
    optimizer.dispose()
    w.dispose()
  })
})

describe('learning-rate schedules', () => {
  const base = { ...TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 10, batchSize: 32, learningRate: 0.1 }), lrSchedule: 'constant' as const }
  it('step: multiplies by gamma every N epochs', () => {
    const config = { ...base, lrSchedule: 'step' as const, lrStepEpochs: 3, lrStepGamma: 0.5 }
    expect([0, 2.9, 3, 6.5, 9].map((e) => learningRateAt(config, e))).toEqual([0.1, 0.1, 0.05, 0.025, 0.0125])
  })
  it('cosine: from the full rate to zero over the run', () => {
    const config = { ...base, lrSchedule: 'cosine' as const }
    expect(learningRateAt(config, 0)).toBeCloseTo(0.1)
    expect(learningRateAt(config, 5)).toBeCloseTo(0.05)
    expect(learningRateAt(config, 10)).toBeCloseTo(0)
  })
  it('warm-up: linear ramp, never zero, then the schedule', () => {
    const config = { ...base, warmupEpochs: 2 }
    expect(learningRateAt(config, 0)).toBeGreaterThan(0)
    expect(learningRateAt(config, 1)).toBeCloseTo(0.05)
    expect(learningRateAt(config, 2)).toBeCloseTo(0.1)
  })
})

describe('gradient clipping', () => {
  it('scales all gradients by one factor so that their global norm is the limit', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) } // global norm 5
    const clipped = clipByGlobalNorm(grads, 1)
    expect(Array.from(clipped.a.dataSync())).toEqual([expect.closeTo(0.6, 5), 0])
    expect(Array.from(clipped.b.dataSync())).toEqual([0, expect.closeTo(0.8, 5)])
    const untouched = clipByGlobalNorm(grads, 10)
    expect(untouched.a.dataSync()[0]).toBeCloseTo(3, 4)
  })
})
