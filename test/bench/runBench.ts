/**
 * `npm run bench`: our training and inference throughput beside PyTorch's on the same networks, batch
 * sizes and inputs, in one run, printed as ratios. PyTorch is the anchor a user would compare with:
 * Debian's python3-torch on OpenBLAS, OMP_NUM_THREADS = cores. Each network runs in a process of its own,
 * ours and PyTorch's, so that each process's peak memory is that network's.
 *
 * Parts can be run alone (the machine may be shared; ratios still come from one run):
 *   --only=lenet5,alexnet    these networks only (lenet5, lenet-relu, resnet18, alexnet, vgg11, googlenet)
 *   --inference-only         no training (nor its data-parallel cases), PyTorch inference only
 *   --skip-avx2              on an AVX-512 machine, no second run of ours on the AVX2 build
 *   --skip-peak              no FMA peak microbench (and no GFLOP/s table)
 *   --skip-latency           no one-image latency through the inference worker
 *   --skip-folder            no folder decode
 *   --skip-pool              no pool sweep
 *   --folder-only            the folder decode lines only (with --small-images=N, --photos=N)
 */
import { cpus } from 'node:os'
import * as tf from '@tensorflow/tfjs-core'
import { selectBackend } from '../../main/backends/backendLadder'
import { loadNativeKernels } from '../../main/backends/native/nativeKernels'
import { benchCases, type BenchCase } from './benchCases'
import { anchorInProcess, findPython, oursInProcess, type AnchorResult } from './benchProcesses'
import { failures, memoryTable, peakTable, throughputTable, type CaseOutcome } from './benchReport'
import { measureFmaPeak } from './fmaPeak'
import { folderDecodeLines } from './folderDecodeBench'
import { benchInferenceLatency } from './inferenceLatency'
import { benchPoolSweep } from './poolSweepBench'

const cores = cpus().length
const flag = (name: string) => process.argv.includes(`--${name}`)
const value = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const only = value('only')?.split(',')
const inferenceOnly = flag('inference-only')

async function measureCases(cases: BenchCase[], withAvx2: boolean): Promise<CaseOutcome[]> {
  const python = await findPython()
  const anchors = new Map<string, AnchorResult | string>()
  const outcomes: CaseOutcome[] = []
  for (const testCase of cases) {
    const ours = await oursInProcess(testCase, { inferenceOnly })
    const oursAvx2 = withAvx2 ? await oursInProcess(testCase, { inferenceOnly, env: { WORKBENCH_NATIVE_ISA: 'avx2' } }) : undefined
    if (!anchors.has(testCase.name)) {
      anchors.set(
        testCase.name,
        python ? await anchorInProcess(python, testCase, { inferenceOnly, cores }) : 'PyTorch not found: apt-get install python3-torch libopenblas0-pthread (or set WORKBENCH_PYTHON)',
      )
    }
    const theirs = anchors.get(testCase.name)!
    const show = (r: typeof ours | undefined, name: string) =>
      r === undefined ? '' : typeof r === 'string' ? `; ${name}: ${r}` : `; ${name} train ${Math.round(r.train ?? NaN)}/s, inference ${Math.round(r.inference)}/s (${r.path}), peak ${Math.round(r.peakRssMiB)} MiB`
    console.log(`  measured ${testCase.key}${show(ours, 'ours')}${show(oursAvx2, 'ours on AVX2')}${typeof theirs === 'string' ? `; ${theirs}` : ''}`)
    outcomes.push({ testCase, ours, oursAvx2, theirs })
  }
  return outcomes
}

async function throughput(): Promise<void> {
  const backend = await selectBackend((process.env.WORKBENCH_BACKEND as 'auto') ?? 'auto')
  const native = backend.name === 'wasm-blas' ? loadNativeKernels() : undefined
  console.log(`ours: TensorFlow.js ${tf.version_core} on ${backend.name}${backend.detail ? ` (${backend.detail})` : ''}; ${cores} cores`)
  const withAvx2 = native?.isa === 'avx512' && !flag('skip-avx2')
  const peak = flag('skip-peak') ? undefined : await measureFmaPeak(cores)
  if (typeof peak === 'string') console.log(peak)
  else if (peak) console.log(`FMA peak on ${peak.threads} threads: AVX-512 ${peak.avx512 ?? '-'} GFLOP/s, AVX2 ${peak.avx2 ?? '-'} GFLOP/s`)
  const cases = benchCases(cores).filter((c) => (!only || only.includes(c.name)) && !(inferenceOnly && (c.parallelism ?? 1) > 1))
  const outcomes = await measureCases(cases, withAvx2)
  const anchor = outcomes.map((o) => o.theirs).find((t): t is AnchorResult => typeof t === 'object')
  if (anchor) console.log(`anchor: PyTorch ${anchor.torch}, ${anchor.threads} threads, BLAS: ${anchor.blas}`)
  console.log(`\n${throughputTable(outcomes, (o) => o.ours).join('\n')}`)
  if (withAvx2) console.log(`\nthe same with the AVX2 build (WORKBENCH_NATIVE_ISA=avx2, what an AVX2-only CPU runs):\n${throughputTable(outcomes, (o) => o.oursAvx2).join('\n')}`)
  if (peak && typeof peak === 'object') console.log(`\nachieved GFLOP/s (training: 3 x forward multiply-adds x 2 per sample) against the FMA peak:\n${peakTable(outcomes, peak).join('\n')}`)
  console.log(`\npeak memory (VmHWM) of the process that trained and ran each network:\n${memoryTable(outcomes).join('\n')}`)
  const failed = failures(outcomes)
  if (failed.length) console.log(`\nnot measured:\n${failed.join('\n')}`)
}

async function main(): Promise<void> {
  if (!flag('folder-only')) {
    await throughput()
    if (!flag('skip-latency')) {
      // What a user feels on every drop: one image through the inference worker process.
      console.log('\none dropped image through the inference worker (decode, preprocess, predict, top-5):')
      for (const line of await benchInferenceLatency()) {
        console.log(`  ${line.name} at ${line.inputSize} px: p50 ${line.p50Ms.toFixed(1)} ms, p90 ${line.p90Ms.toFixed(1)} ms over ${line.samples} drops (target < ${line.targetMs} ms)`)
      }
    }
  }
  if (!flag('skip-folder')) {
    const count = (name: string) => (value(name) ? Number(value(name)) : undefined)
    console.log('')
    for await (const line of folderDecodeLines({ smallImages: count('small-images'), photos: count('photos') })) console.log(line)
  }
  // Scaling out: the same sweep on two single-thread pool workers beside one (Redis + real worker processes).
  if (!flag('folder-only') && !flag('skip-pool')) console.log(`\n${await benchPoolSweep()}`)
}

// `npm run bench -- --gpu`: the GPU bench instead (gpuBench.ts).
const start = process.argv.includes('--gpu') ? () => import('./gpuBench').then((gpu) => gpu.runGpuBench(process.argv.slice(2))).then(() => process.exit(0)) : main
start().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
