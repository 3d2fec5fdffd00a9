/**
 * The optimizer's step alone on ResNet-18's parameters (11M), tfjs's own class (its wasm Add/Mul/Sub per
 * tensor) against the run's (one native call on wasm-blas), alternating in one process so that both see
 * the same load; the minimum of each is the figure to compare on a busy machine:
 *   npx tsx test/bench/optimizerStep.ts [optimizer=sgd|momentum|nesterov|adam|rmsprop|all] [rounds=10] [--clip]
 */
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../main/backends/backendLadder'
import { createModel } from '../../main/engine/model/modelFactory'
import { applyGradientsClipped } from '../../main/engine/trainingLoop/nativeOptimizers'
import { createOptimizer } from '../../main/engine/trainingLoop/optimizers'
import { getArchitecture, OPTIMIZER_NAMES, type OptimizerName } from '../../shared/arch/specs'

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const which = args[0] ?? 'all'
const names = which === 'all' ? [...OPTIMIZER_NAMES] : [which as OptimizerName]
if (names.some((n) => !OPTIMIZER_NAMES.includes(n))) throw new Error(`unknown optimizer ${which}: one of ${OPTIMIZER_NAMES.join(', ')} or all`)
const rounds = Number(args[1] ?? 10)
const clipNorm = process.argv.includes('--clip') ? 1 : undefined

const TFJS: Record<OptimizerName, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.01),
  momentum: () => tf.train.momentum(0.01, 0.9),
  nesterov: () => tf.train.momentum(0.01, 0.9, true),
  adam: () => tf.train.adam(0.01),
  rmsprop: () => tf.train.rmsprop(0.01, 0.99, 0, 1e-8),
}

const report = await selectBackend('wasm-blas')
const spec = getArchitecture('resnet18', { inputSize: 32, channels: 3, classes: 10 })
const model = createModel(spec, spec.input, 1)
const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val)
const grads: tf.NamedTensorMap = Object.fromEntries(variables.map((v) => [v.name, tf.randomNormal(v.shape, 0, 0.01)]))
const count = variables.reduce((sum, v) => sum + v.size, 0)
console.log(`ResNet-18: ${variables.length} tensors, ${(count / 1e6).toFixed(1)}M parameters, on ${report.name}${clipNorm ? ', clipped' : ''}`)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
for (const name of names) {
  const optimizers = { tfjs: TFJS[name](), native: createOptimizer(name, 0.01) }
  const times: Record<keyof typeof optimizers, number[]> = { tfjs: [], native: [] }
  for (let round = -1; round < rounds; round++) {
    for (const kind of ['tfjs', 'native'] as const) {
      const started = performance.now()
      applyGradientsClipped(optimizers[kind], grads, clipNorm)
      variables[0].dataSync()
      if (round >= 0) times[kind].push(performance.now() - started)
    }
  }
  const line = (kind: keyof typeof optimizers) => `${kind} min ${Math.min(...times[kind]).toFixed(1)} ms, median ${median(times[kind]).toFixed(1)} ms`
  console.log(`${name.padEnd(9)} ${line('tfjs')} | ${line('native')}`)
  optimizers.tfjs.dispose()
  optimizers.native.dispose()
}
