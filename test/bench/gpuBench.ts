/**
 * `npm run bench:gpu` (or `npm run bench -- --gpu`): ours on the webgpu rung beside PyTorch CUDA (fp32,
 * TF32 off) on the same GPU, networks, inputs and batch sizes, training and inference, as ratios.
 * Without a GPU (no adapter, only a software one, or PyTorch without CUDA) it says so and exits 0.
 * `--quick` runs tiny sizes on any adapter, lavapipe included: proof that the bench (and its bundle) runs.
 * It also runs from an esbuild bundle on a GPU box with no Node install: see packGpuBench.sh.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import { getArchitecture, type ArchitectureId } from '../../shared/arch/specs'
import { createModel } from '../../main/engine/model/modelFactory'
import { selfTestBackend } from '../../main/backends/backendSelfTest'
import { loadWebGpuRung } from '../../main/backends/webgpu/webgpuRung'
import { measureTraining, type ThroughputCase } from './oursThroughput'

const run = promisify(execFile)

interface GpuCase {
  key: string
  arch: ArchitectureId
  /** [height, width, channels], as ours takes it. */
  imageShape: [number, number, number]
  batchSize: number
  batches: number
  /** The bar for ours / PyTorch. */
  trainTarget: number
  inferenceTarget: number
}

const FULL: GpuCase[] = [
  { key: 'lenet5 b256', arch: 'lenet5', imageShape: [28, 28, 1], batchSize: 256, batches: 40, trainTarget: 0.25, inferenceTarget: 0.5 },
  { key: 'resnet18 b64', arch: 'resnet18', imageShape: [32, 32, 3], batchSize: 64, batches: 12, trainTarget: 0.5, inferenceTarget: 0.5 },
  { key: 'resnet18 b256', arch: 'resnet18', imageShape: [32, 32, 3], batchSize: 256, batches: 6, trainTarget: 0.5, inferenceTarget: 0.5 },
  { key: 'alexnet b128', arch: 'alexnet', imageShape: [224, 224, 1], batchSize: 128, batches: 6, trainTarget: 0.5, inferenceTarget: 0.5 },
]

/** Small enough for lavapipe (LeNet trains at ~200 samples/s there); AlexNet at its smallest valid input. */
const QUICK: GpuCase[] = [
  { key: 'lenet5 b16', arch: 'lenet5', imageShape: [28, 28, 1], batchSize: 16, batches: 2, trainTarget: 0.25, inferenceTarget: 0.5 },
  { key: 'resnet18 b2', arch: 'resnet18', imageShape: [32, 32, 3], batchSize: 2, batches: 2, trainTarget: 0.5, inferenceTarget: 0.5 },
  { key: 'alexnet@67 b2', arch: 'alexnet', imageShape: [67, 67, 1], batchSize: 2, batches: 2, trainTarget: 0.5, inferenceTarget: 0.5 },
]

function build(testCase: GpuCase) {
  const [height, width, channels] = testCase.imageShape
  const spec = getArchitecture(testCase.arch, { inputSize: height, channels, classes: 10 })
  return createModel(spec, { height, width, channels }, 1)
}

/** Images/s of forward passes, queued back to back and read once at the end (PyTorch synchronizes once too). */
async function measureInferenceAsync(testCase: GpuCase): Promise<number> {
  const model = build(testCase)
  const x = tf.randomUniform([testCase.batchSize, ...testCase.imageShape])
  const pass = () => tf.tidy(() => model.predict(x) as tf.Tensor)
  const warm = pass()
  await warm.data()
  warm.dispose()
  const start = performance.now()
  let last: tf.Tensor | undefined
  for (let i = 0; i < testCase.batches; i++) {
    last?.dispose()
    last = pass()
  }
  await last!.data()
  const rate = (testCase.batchSize * testCase.batches) / ((performance.now() - start) / 1000)
  last!.dispose()
  x.dispose()
  model.dispose()
  return rate
}

/** Where the anchor scripts are: beside this file from source, beside the bundle in .gpu/. */
function anchorScript(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, 'pytorchGpuAnchor.py'), join(here, '..', 'test', 'bench', 'pytorchGpuAnchor.py')].find(existsSync) ?? join(here, 'pytorchGpuAnchor.py')
}

interface Anchor {
  torch: string
  device: string
  train: Record<string, number>
  inference: Record<string, number>
}

async function pytorchCuda(cases: GpuCase[]): Promise<Anchor | string> {
  const payload = JSON.stringify(cases.map((c) => ({ key: c.key, arch: c.arch, shape: [c.imageShape[2], c.imageShape[0], c.imageShape[1]], batch: c.batchSize, steps: c.batches * 2 })))
  const tried: string[] = []
  for (const python of [process.env.WORKBENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[]) {
    try {
      const { stdout } = await run(python, [anchorScript(), payload], { timeout: 20 * 60_000, maxBuffer: 1 << 20 })
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Anchor | { error: string }
      if ('error' in result) tried.push(`${python}: ${result.error}`)
      else return result
    } catch (error) {
      tried.push(`${python}: ${(error as Error).message.split('\n').find((l) => /Error|not found|ENOENT/.test(l)) ?? 'failed'}`)
    }
  }
  return `no PyTorch with CUDA found (${tried.join('; ')}); set WORKBENCH_PYTHON to one`
}

const fmt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : n < 10 ? n.toPrecision(2) : Math.round(n).toLocaleString('en-US'))
const ratio = (ours: number, theirs: number | undefined, target: number) =>
  theirs ? `${(ours / theirs).toFixed(3)}x ${ours / theirs >= target ? '(meets' : '(below'} ${target}x)` : '-'

export async function runGpuBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  tf.env().set('PROD', true)
  let loaded
  try {
    loaded = await loadWebGpuRung({ forced: true })
  } catch (error) {
    console.log(`no GPU: ${(error as Error).message}; nothing to measure`)
    return
  }
  const adapterLine = loaded.detail
  if (/a software adapter/.test(adapterLine) && !quick) {
    console.log(`no GPU: only a software adapter (${adapterLine}); speed is measured on a real GPU (--quick runs tiny sizes on it anyway)`)
    return
  }
  const test = await selfTestBackend('webgpu')
  if (!test.ok) throw new Error(`the webgpu rung failed its self-test against cpu (max relative error ${test.maxError.toExponential(2)})`)
  await tf.setBackend('webgpu')
  console.log(`ours: TensorFlow.js ${tf.version_core} on webgpu: ${adapterLine}`)
  const cases = quick ? QUICK : FULL
  const ours: { testCase: GpuCase; train: number; inference: number }[] = []
  for (const testCase of cases) {
    const throughput: ThroughputCase = { name: testCase.key, build: () => build(testCase), imageShape: testCase.imageShape, batchSize: testCase.batchSize, batches: testCase.batches }
    const train = await measureTraining(throughput)
    const inference = await measureInferenceAsync(testCase)
    ours.push({ testCase, train, inference })
    console.log(`  measured ${testCase.key}: train ${fmt(train)}/s, inference ${fmt(inference)}/s`)
  }
  const anchor = await pytorchCuda(cases)
  const theirs = typeof anchor === 'string' ? undefined : anchor
  console.log(theirs ? `anchor: PyTorch ${theirs.torch} on ${theirs.device}, fp32 (TF32 off)` : `anchor: ${anchor}: no ratios (no GPU for PyTorch)`)
  console.log('\n| model, batch | input | ours train samples/s | PyTorch | ratio | ours inference images/s | PyTorch | ratio |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const { testCase, train, inference } of ours) {
    const t = theirs?.train[testCase.key]
    const i = theirs?.inference[testCase.key]
    console.log(
      `| ${testCase.key} | ${testCase.imageShape.join('x')} | ${fmt(train)} | ${fmt(t)} | ${ratio(train, t, testCase.trainTarget)} | ${fmt(inference)} | ${fmt(i)} | ${ratio(inference, i, testCase.inferenceTarget)} |`,
    )
  }
  if (quick) console.log('\n--quick: tiny sizes, not a measurement')
}

// Run directly (tsx, or the bundle); runBench.ts hands `--gpu` over to runGpuBench.
const entry = process.argv[1] ? fileURLToPath(import.meta.url) === process.argv[1] || /gpu-bench\.m?js$/.test(process.argv[1]) : false
if (entry) {
  runGpuBench(process.argv.slice(2))
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(1)
    })
}
