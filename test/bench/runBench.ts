/**
 * `npm run bench`: our training and inference throughput beside PyTorch's on the same networks, batch
 * sizes and inputs, in one run, printed as ratios. PyTorch is the anchor a user would compare with:
 * Debian's python3-torch on OpenBLAS, OMP_NUM_THREADS = cores.
 *
 * Parts can be run alone (the machine may be shared; ratios still come from one run):
 *   --only=lenet5,resnet18   these networks only
 *   --inference-only         no training (nor its data-parallel cases), PyTorch inference only
 *   --skip-latency           no one-image latency through the inference worker
 *   --skip-folder            no folder decode
 */
import { execFile } from 'node:child_process'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../main/backends/backendLadder'
import { createModel } from '../../main/engine/model/modelFactory'
import { getArchitecture } from '../../shared/arch/specs'
import { measureInference, measureTraining, type ThroughputCase } from './oursThroughput'
import { benchFolderDecode } from './folderDecodeBench'
import { benchInferenceLatency } from './inferenceLatency'
import { benchPoolSweep } from './poolSweepBench'

const run = promisify(execFile)
const cores = cpus().length
const flag = (name: string) => process.argv.includes(`--${name}`)
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',')
const inferenceOnly = flag('inference-only')

interface AnchorResult {
  torch: string
  threads: number
  blas: string
  train: Record<string, number>
  inference: Record<string, number>
}

const CASES: ThroughputCase[] = [
  { name: 'lenet5', build: () => createModel(getArchitecture('lenet5'), { height: 28, width: 28, channels: 1 }, 1), imageShape: [28, 28, 1], batchSize: 256, batches: 30 },
  { name: 'lenet-relu', build: () => createModel(getArchitecture('lenet-relu'), { height: 28, width: 28, channels: 1 }, 1), imageShape: [28, 28, 1], batchSize: 256, batches: 30 },
  // The same two networks trained data-parallel, one model replica per core (`--parallel N`); on wasm-blas
  // each replica runs the native kernels on one thread, instead of one process running them on all.
  { name: 'lenet5', parallelism: cores, build: () => createModel(getArchitecture('lenet5'), { height: 28, width: 28, channels: 1 }, 1), imageShape: [28, 28, 1], batchSize: 256, batches: 30 },
  { name: 'lenet-relu', parallelism: cores, build: () => createModel(getArchitecture('lenet-relu'), { height: 28, width: 28, channels: 1 }, 1), imageShape: [28, 28, 1], batchSize: 256, batches: 30 },
  // The notes' ResNet-18 at full width on CIFAR-sized input, as the PyTorch anchor builds it.
  {
    name: 'resnet18',
    build: () => createModel(getArchitecture('resnet18', { inputSize: 32, channels: 3, classes: 10 }), { height: 32, width: 32, channels: 3 }, 1),
    imageShape: [32, 32, 3],
    batchSize: 64,
    batches: 4,
  },
]

async function findPython(): Promise<string | undefined> {
  for (const python of [process.env.WORKBENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    try {
      await run(python, ['-c', 'import torch'], { timeout: 60_000 })
      return python
    } catch {
      // try the next one
    }
  }
  return undefined
}

async function pytorchAnchor(models: string[], inferenceOnly: boolean): Promise<AnchorResult | string> {
  const python = await findPython()
  if (!python) return 'PyTorch not found: apt-get install python3-torch libopenblas0-pthread (or set WORKBENCH_PYTHON)'
  const script = fileURLToPath(new URL('./pytorchAnchor.py', import.meta.url))
  const { stdout } = await run(python, [script, ...models, ...(inferenceOnly ? ['--inference-only'] : [])], {
    env: { ...process.env, OMP_NUM_THREADS: String(cores) },
    timeout: 20 * 60_000,
    maxBuffer: 1 << 20,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as AnchorResult
}

function trackPeakRss(): () => number {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  return () => {
    clearInterval(timer)
    return Math.max(peak, process.memoryUsage().rss)
  }
}

const label = (testCase: ThroughputCase) => (testCase.parallelism && testCase.parallelism > 1 ? `${testCase.name}, ${testCase.parallelism} replicas` : testCase.name)
const fmt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'))
const ratio = (ours: number, theirs: number | undefined) => (theirs ? `${(ours / theirs).toFixed(2)}x` : '-')

async function main(): Promise<void> {
  const backend = await selectBackend((process.env.WORKBENCH_BACKEND as 'auto') ?? 'auto')
  console.log(`ours: TensorFlow.js ${tf.version_core} on ${backend.name}${backend.detail ? ` (${backend.detail})` : ''}; ${cores} cores`)
  const peakRss = trackPeakRss()
  const ours = []
  const cases = CASES.filter((c) => (!only || only.includes(c.name)) && !(inferenceOnly && (c.parallelism ?? 1) > 1))
  for (const testCase of cases) {
    const train = inferenceOnly ? NaN : await measureTraining(testCase)
    const { rate: inference, path } = await measureInference(testCase)
    ours.push({ testCase, train, inference })
    console.log(`  measured ${label(testCase)}: train ${fmt(train)}/s, inference ${fmt(inference)}/s (${path})`)
  }
  const oursPeak = peakRss()

  const anchor = await pytorchAnchor([...new Set(cases.map((c) => c.name))], inferenceOnly)
  if (typeof anchor === 'string') console.log(`anchor: ${anchor}`)
  else console.log(`anchor: PyTorch ${anchor.torch}, ${anchor.threads} threads, BLAS: ${anchor.blas}`)
  const theirs = typeof anchor === 'string' ? undefined : anchor

  console.log('\n| model | input, batch | ours train samples/s | PyTorch | ratio | ours inference images/s | PyTorch | ratio |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const { testCase, train, inference } of ours) {
    const t = theirs?.train[testCase.name]
    const i = theirs?.inference[testCase.name]
    console.log(
      `| ${label(testCase)} | ${testCase.imageShape.join('x')}, ${testCase.batchSize} | ${fmt(train)} | ${fmt(t)} | ${ratio(train, t)} | ${fmt(inference)} | ${fmt(i)} | ${ratio(inference, i)} |`,
    )
  }
  console.log(`\npeak memory (RSS) of our process: ${(oursPeak / 2 ** 20).toFixed(0)} MiB`)
  if (!flag('skip-latency')) {
    // What a user feels on every drop: one image through the inference worker process.
    console.log('\none dropped image through the inference worker (decode, preprocess, predict, top-5):')
    for (const line of await benchInferenceLatency()) {
      console.log(`  ${line.name} at ${line.inputSize} px: p50 ${line.p50Ms.toFixed(1)} ms, p90 ${line.p90Ms.toFixed(1)} ms over ${line.samples} drops (target < ${line.targetMs} ms)`)
    }
  }
  if (flag('skip-folder')) return
  // Data input: a 50,000-image folder streamed for one epoch (generated once into /tmp).
  const folder = await benchFolderDecode()
  console.log(
    `\nfolder decode (64x64 JPEG, one epoch of ${folder.images} images): ${Math.round(folder.imagesPerSecond)} images/s, ` +
      `peak RSS growth ${folder.peakRssGrowthMB.toFixed(0)} MB (must stay under 500)`,
  )
  // Scaling out: the same sweep on two single-thread pool workers beside one (Redis + real worker processes).
  console.log(`\n${await benchPoolSweep()}`)
}

// `npm run bench -- --gpu`: the GPU bench instead (gpuBench.ts).
const start = process.argv.includes('--gpu') ? () => import('./gpuBench').then((gpu) => gpu.runGpuBench(process.argv.slice(2))).then(() => process.exit(0)) : main
start().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
