/**
 * The networks `npm run bench` trains and runs, ours and PyTorch's alike: the notes' LeNets at 28 px,
 * ResNet-18 at full width on 32x32x3, and the CPU presets of AlexNet, VGG-11 and GoogLeNet as a student
 * gets them (resolveRun with preset 'cpu' on Fashion-MNIST: input size, width, batch norm and batch size).
 */
import { createModel } from '../../main/engine/model/modelFactory'
import { analyzeModel } from '../../shared/arch/layerMath'
import { getArchitecture, type ArchitectureId, type ArchitectureSpec } from '../../shared/arch/specs'
import { pytorchNetwork } from '../../shared/exchange/pytorchCode'
import { resolveRun } from '../../shared/run/resolveRun'
import type { ThroughputCase } from './oursThroughput'

export interface BenchCase extends ThroughputCase {
  /** `name`, or `name:parallel` for the data-parallel replicas of the same network. */
  key: string
  spec: ArchitectureSpec
  /** Multiply-adds of one sample's forward pass (shared/arch/layerMath). */
  macs: number
  /** The network as PyTorch code (shared/exchange/pytorchCode) for the anchor, where it has no definition of its own. */
  pytorchCode?: string
}

function benchCase(spec: ArchitectureSpec, batchSize: number, batches: number, extra: Partial<BenchCase> = {}): BenchCase {
  const { height, width, channels } = spec.input
  return {
    key: spec.id,
    name: spec.id,
    spec,
    build: () => createModel(spec, spec.input, 1),
    imageShape: [height, width, channels],
    batchSize,
    batches,
    macs: analyzeModel(spec, spec.input).totalMacs,
    ...extra,
  }
}

/** A CPU preset as the Train view resolves it for Fashion-MNIST (one channel, ten classes). */
function cpuPresetCase(arch: ArchitectureId, batches: number): BenchCase {
  const run = resolveRun({ arch, dataset: 'fashion-mnist', preset: 'cpu' })
  const spec = getArchitecture(arch, { inputSize: run.inputSize, channels: 1, classes: 10, knobs: run.knobs })
  return benchCase(spec, run.batchSize, batches, { pytorchCode: pytorchNetwork(spec).code })
}

export function benchCases(cores: number): BenchCase[] {
  const lenet5 = getArchitecture('lenet5')
  const lenetRelu = getArchitecture('lenet-relu')
  return [
    benchCase(lenet5, 256, 30),
    benchCase(lenetRelu, 256, 30),
    // The same two networks trained data-parallel, one model replica per core (`--parallel N`); on wasm-blas
    // each replica runs the native kernels on one thread, instead of one process running them on all.
    benchCase(lenet5, 256, 30, { key: 'lenet5:parallel', parallelism: cores }),
    benchCase(lenetRelu, 256, 30, { key: 'lenet-relu:parallel', parallelism: cores }),
    // The notes' ResNet-18 at full width on CIFAR-sized input, as the PyTorch anchor builds it. 12 timed
    // steps on both sides: with 4 (ours) against 8 (PyTorch's), three quiet runs of ours read 411-488 images/s.
    benchCase(getArchitecture('resnet18', { inputSize: 32, channels: 3, classes: 10 }), 64, 12),
    // 20 steps an epoch, timed in the third as every case (both sides warm up for two). With 10, GoogLeNet's
    // timed steps were its 21st to 30th, still settling (V8's compilers, garbage collection: 31-96 ms a step
    // there, 30-35 ms from the 40th on), and a run trains hundreds; PyTorch's steps are even from the first.
    cpuPresetCase('alexnet', 20),
    cpuPresetCase('vgg11', 20),
    cpuPresetCase('googlenet', 20),
  ]
}
