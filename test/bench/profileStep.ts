/**
 * Where one training step's time goes, kernel by kernel (tf.profile), for one backend and network:
 *   npx tsx test/bench/profileStep.ts [backend=wasm-blas] [arch=resnet18] [batch] [--one-thread] [--inference] [--cpu-preset]
 *     [--optimizer=sgd|momentum|nesterov|adam|rmsprop] [--tfjs-optimizer] [--counts] [--shapes=Kernel,Kernel]
 * ResNet-18 runs at 32x32x3 as in `npm run bench`, the others at 28x28x1; `--cpu-preset` builds the network as
 * the CPU preset does for Fashion-MNIST (the bench's alexnet, vgg11 and googlenet rows). `--one-thread` runs the native
 * kernels on one core, as a data-parallel replica does. `--inference` profiles one predict() of the batch
 * instead of a training step. `--optimizer` picks the run's optimizer (default sgd), which steps in one native
 * call on wasm-blas (`optimizerStep` below, timed around the call); `--tfjs-optimizer` takes tfjs's own class
 * instead (its per-tensor Add/Mul/Sub kernels), for a before and after in the same minute. Composite ops (`fusedConv2d__op`) are listed beside
 * the kernels they run, so the total counts those twice. `--counts` prints how many kernels of each name a step
 * ran (the per-kernel overhead of a network of small layers); `--shapes=Sub,Multiply` splits those kernels'
 * time by input shapes. One profiled step's times jump between runs: compare counts, or repeat.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { selectBackend } from '../../main/backends/backendLadder'
import { createModel } from '../../main/engine/model/modelFactory'
import { activeNativeKernels } from '../../main/backends/native/wasmBlasKernels'
import { ARCHITECTURE_IDS, getArchitecture, type ArchitectureId } from '../../shared/arch/specs'
import { BackendChoice } from '../../shared/api/schemas'
import { resolveRun } from '../../shared/run/resolveRun'
import { createOptimizer } from '../../main/engine/trainingLoop/optimizers'
import { OPTIMIZER_NAMES, type OptimizerName } from '../../shared/arch/specs'

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const backend = BackendChoice.parse(args[0] ?? 'wasm-blas')
const arch = (args[1] ?? 'resnet18') as ArchitectureId
if (!ARCHITECTURE_IDS.includes(arch)) throw new Error(`unknown architecture ${arch}: one of ${ARCHITECTURE_IDS.join(', ')}`)
const cifar = arch.startsWith('resnet')
const batch = Number(args[2] ?? (cifar ? 64 : 256))

const report = await selectBackend(backend)
if (process.argv.includes('--one-thread')) activeNativeKernels()?.addon.setThreads(1)
// --cpu-preset: the network as the Train view's CPU preset builds it for Fashion-MNIST (what `npm run bench` times).
const cpuPreset = process.argv.includes('--cpu-preset') ? resolveRun({ arch, dataset: 'fashion-mnist', preset: 'cpu' }) : undefined
const spec = cpuPreset
  ? getArchitecture(arch, { inputSize: cpuPreset.inputSize, channels: 1, classes: 10, knobs: cpuPreset.knobs })
  : cifar
    ? getArchitecture(arch, { inputSize: 32, channels: 3, classes: 10 })
    : getArchitecture(arch)
const model = createModel(spec, spec.input, 1)
const x = tf.randomUniform([batch, spec.input.height, spec.input.width, spec.input.channels])
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10)
const optimizerName = (process.argv.find((a) => a.startsWith('--optimizer='))?.slice('--optimizer='.length) ?? 'sgd') as OptimizerName
if (!OPTIMIZER_NAMES.includes(optimizerName)) throw new Error(`unknown optimizer ${optimizerName}: one of ${OPTIMIZER_NAMES.join(', ')}`)
const TFJS_OPTIMIZERS: Record<OptimizerName, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.01),
  momentum: () => tf.train.momentum(0.01, 0.9),
  nesterov: () => tf.train.momentum(0.01, 0.9, true),
  adam: () => tf.train.adam(0.01),
  rmsprop: () => tf.train.rmsprop(0.01, 0.99, 0, 1e-8),
}
const tfjsOptimizer = process.argv.includes('--tfjs-optimizer')
const optimizer = tfjsOptimizer ? TFJS_OPTIMIZERS[optimizerName]() : createOptimizer(optimizerName, 0.01)
// The native step is one addon call, outside tfjs's kernels: time it around the call for the profile.
let optimizerStepMs = 0
const addon = activeNativeKernels()?.addon
if (addon) {
  const native = addon.optimizerStep.bind(addon)
  const timed = Object.create(addon, {
    optimizerStep: {
      value: (...callArgs: Parameters<typeof native>) => {
        const begun = performance.now()
        const scale = native(...callArgs)
        optimizerStepMs += performance.now() - begun
        return scale
      },
    },
  }) as typeof addon
  activeNativeKernels()!.addon = timed
}
const inference = process.argv.includes('--inference')
const step = () =>
  tf.tidy(() => {
    if (inference) return void (model.predict(x, { batchSize: batch }) as tf.Tensor).dataSync()
    optimizer.minimize(() => tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true)?.dataSync()
  })
step()
step()
const started = performance.now()
for (let i = 0; i < 3; i++) step()
const optimizerLabel = inference ? '' : `, ${optimizerName}${tfjsOptimizer ? ' (tfjs kernels)' : ''}`
console.log(`${arch}, batch ${batch}${optimizerLabel}, on ${report.name}${report.detail ? ` (${report.detail})` : ''}: ${((performance.now() - started) / 3).toFixed(1)} ms per ${inference ? 'predict' : 'step'}`)
optimizerStepMs = 0
const profile = await tf.profile(() => step())
if (optimizerStepMs > 0) console.log(`  ${'optimizerStep (native)'.padEnd(28)} ${optimizerStepMs.toFixed(1)} ms`)
const byKernel = new Map<string, number>()
for (const kernel of profile.kernels) byKernel.set(kernel.name, (byKernel.get(kernel.name) ?? 0) + (kernel.kernelTimeMs as number))
for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${name.padEnd(28)} ${ms.toFixed(1)} ms`)
if (process.argv.includes('--counts')) {
  const counts = new Map<string, number>()
  for (const kernel of profile.kernels) counts.set(kernel.name, (counts.get(kernel.name) ?? 0) + 1)
  console.log(`  ${profile.kernels.length} kernels: ${[...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`).join(', ')}`)
}
const shapesOf = process.argv.find((a) => a.startsWith('--shapes='))?.slice('--shapes='.length).split(',')
if (shapesOf) {
  const byShape = new Map<string, { ms: number; calls: number }>()
  for (const kernel of profile.kernels.filter((k) => shapesOf.includes(k.name))) {
    const key = `${kernel.name} ${JSON.stringify(kernel.inputShapes)}`
    const entry = byShape.get(key) ?? { ms: 0, calls: 0 }
    entry.ms += kernel.kernelTimeMs as number
    entry.calls++
    byShape.set(key, entry)
  }
  for (const [key, { ms, calls }] of [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`    ${key}: ${calls} calls, ${ms.toFixed(2)} ms`)
}
