/**
 * Does every lesson's claim hold for any seed? Runs each lesson of shared/lessons/lessonCatalog.ts with
 * seeds 1..N through the same training job the app's worker runs (in-process, wasm-blas), checks the claim
 * on the raw numbers (lessonClaims.ts, not the app's verdicts) and prints, per lesson, in how many seeds
 * it held and the wall time of one attempt (all its runs).
 *   npm run bench:lessons [-- --seeds N] [--first-seed K] [--only id[,id]] [--break sigmoid-vs-relu] [--backend B] [--data-dir D] [--verbose]
 * `--seeds` defaults to 5, from seed 1 (`--first-seed`). `--break sigmoid-vs-relu` runs that lesson at the old card's rate (lr 0.5, where
 * ReLU diverges; see BREAKS) to show that the bench reports a broken lesson; `--verbose` prints every epoch. Exits 1 when any lesson
 * fails in any seed. Wall times are upper bounds where the machine is shared; the CPU seconds (all threads
 * of this process) bound what a quiet machine would take.
 */
import * as tf from '@tensorflow/tfjs-core'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BackendChoice, TrainConfig, type TrainConfigInput } from '../../shared/api/schemas'
import { analyzeModel } from '../../shared/arch/layerMath'
import { getArchitecture } from '../../shared/arch/specs'
import { resolveRun } from '../../shared/run/resolveRun'
import { LESSONS, lessonRunsForSeed } from '../../shared/lessons/lessonCatalog'
import type { Lesson } from '../../shared/lessons/lessonTypes'
import { openDataset } from '../../main/data/datasetRegistry'
import { loadModel } from '../../main/engine/model/modelFiles'
import { fitToModelInput } from '../../main/engine/model/modelStep'
import { runTrainingJob } from '../../main/training/trainingJob'
import { RunControl } from '../../main/training/runControl'
import type { FromWorker } from '../../main/training/workerProtocol'
import { checkClaim, type BenchRun } from './lessonClaims'

/**
 * Deliberate breakages, to see the bench catch them: the old experiments card's rate, 0.5, with the
 * lesson's optimizer (SGD with momentum 0.9), where ReLU diverges. (Plain SGD at 0.5, the old card's
 * optimizer, diverged over its 20,000 images and 3 epochs (issue #19); on this slice ReLU survived it.)
 */
const BREAKS: Record<string, (config: TrainConfigInput) => TrainConfigInput> = {
  'sigmoid-vs-relu': (config) => ({ ...config, learningRate: 0.5 }),
}

const argv = process.argv.slice(2)
const option = (name: string) => {
  const at = argv.indexOf(`--${name}`)
  return at >= 0 ? argv[at + 1] : undefined
}

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

const seeds = Number(option('seeds') ?? 5)
if (!Number.isInteger(seeds) || seeds < 1) fail(`--seeds: expected a whole number >= 1, got "${option('seeds')}"`)
// Seeds firstSeed..firstSeed+seeds-1: a long bench can be split over processes or sessions.
const firstSeed = Number(option('first-seed') ?? 1)
if (!Number.isInteger(firstSeed) || firstSeed < 0) fail(`--first-seed: expected a whole number >= 0, got "${option('first-seed')}"`)
const only = option('only')?.split(',')
const unknown = only?.filter((id) => !LESSONS.some((lesson) => lesson.id === id))
if (unknown?.length) fail(`--only: no lesson ${unknown.join(', ')}; the lessons are ${LESSONS.map((lesson) => lesson.id).join(', ')}`)
const broken = option('break')
if (broken !== undefined && !BREAKS[broken]) fail(`--break: only ${Object.keys(BREAKS).join(', ')} can be broken on purpose`)
const backendParsed = BackendChoice.safeParse(option('backend') ?? 'wasm-blas')
if (!backendParsed.success) fail(`--backend: expected one of ${BackendChoice.options.join(', ')}`)
const backend = backendParsed.data
const givenDataDir = option('data-dir')
const verbose = argv.includes('--verbose')

interface Trained extends BenchRun {
  runDir: string
  config: TrainConfig
}

async function trainRun(label: string, input: TrainConfigInput, dataDir: string): Promise<Trained> {
  const config = resolveRun({ ...input, backend })
  const runDir = join(dataDir, 'runs', `${input.arch}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`)
  await mkdir(runDir, { recursive: true })
  const run: Trained = { label, epochs: [], testAccuracy: 0, params: 0, macs: 0, stepsPerEpoch: 0, seconds: 0, runDir, config }
  let failure: string | undefined
  const send = (message: FromWorker) => {
    if (message.type === 'dataset') run.stepsPerEpoch = Math.ceil(message.data.train / config.batchSize)
    if (message.type === 'epoch') {
      const m = message.metrics
      run.epochs.push({ epoch: m.epoch, testAccuracy: m.testAccuracy, trainAccuracy: m.trainEvalAccuracy ?? m.trainAccuracy, seconds: m.seconds })
      if (verbose) console.log(`    ${label} epoch ${m.epoch}: train ${(m.trainEvalAccuracy ?? m.trainAccuracy).toFixed(3)}, test ${m.testAccuracy.toFixed(3)}, ${m.seconds.toFixed(0)} s`)
    }
    if (message.type === 'completed') run.testAccuracy = message.result.testAccuracy
    if (message.type === 'backend') run.params = message.params
  }
  const started = performance.now()
  // A diverging run fails on its first non-finite loss: that is an outcome (it did not learn), not a bench error.
  await runTrainingJob({ config, runDir, resume: false }, send, new RunControl()).catch((error: unknown) => {
    failure = error instanceof Error ? error.message : String(error)
  })
  run.seconds = (performance.now() - started) / 1000
  const built = getArchitecture(config.arch, { inputSize: config.inputSize, channels: 1, classes: 10, knobs: config.knobs })
  run.macs = analyzeModel(built, built.input).totalMacs
  if (failure) console.log(`    ${label}: failed: ${failure.split('\n')[0]}`)
  return run
}

/** Test accuracy of the members' averaged probabilities (what Predict's ensemble computes). */
async function ensembleAccuracy(members: Trained[], dataDir: string): Promise<number> {
  const config = members[0].config
  const dataset = await openDataset(config.dataset, { dataDir, seed: config.seed, validationFraction: 0, limit: config.limit, testLimit: config.testLimit, normalize: config.normalize, shuffle: false })
  const models = await Promise.all(members.map((member) => loadModel(join(member.runDir, 'model'))))
  let correct = 0
  let count = 0
  for await (const batch of dataset.test.batches(0, 500)) {
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, ...dataset.test.imageShape])
      // The models answer logits: probabilities are averaged, as Predict's ensemble does.
      const probabilities = models.map((model) => tf.softmax(model.predict(fitToModelInput(model, x)) as tf.Tensor))
      return tf.argMax(tf.addN(probabilities), 1)
    })
    const labels = await predicted.data()
    predicted.dispose()
    for (let i = 0; i < batch.size; i++) if (labels[i] === batch.labels[i]) correct++
    count += batch.size
  }
  models.forEach((model) => model.dispose())
  return correct / count
}

/** CPU seconds of this process (all its threads): on a shared machine, the wall time a quiet one would need at most. */
const cpuSeconds = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

async function attempt(lesson: Lesson, seed: number, dataDir: string): Promise<{ holds: boolean; seconds: number; cpu: number }> {
  const started = performance.now()
  const cpuStarted = cpuSeconds()
  const runs: Trained[] = []
  for (const run of lessonRunsForSeed(lesson, seed)) {
    const config = lesson.id === broken ? BREAKS[lesson.id](run.config) : run.config
    runs.push(await trainRun(run.label, config, dataDir))
  }
  const ensemble = lesson.ensemble && runs.every((run) => run.epochs.length) ? await ensembleAccuracy(runs, dataDir) : undefined
  const seconds = (performance.now() - started) / 1000
  const cpu = cpuSeconds() - cpuStarted
  const check = checkClaim(lesson.id, runs, ensemble)
  console.log(`  seed ${seed}: ${check.holds ? 'holds' : 'FAILS'} in ${seconds.toFixed(0)} s (${cpu.toFixed(0)} CPU s): ${check.detail}`)
  await Promise.all(runs.map((run) => rm(run.runDir, { recursive: true, force: true })))
  return { holds: check.holds, seconds, cpu }
}

async function main(): Promise<void> {
  const dataDir = givenDataDir ?? (await mkdtemp(join(tmpdir(), 'lessons-bench-')))
  const table: string[] = []
  let failed = false
  try {
    for (const lesson of LESSONS.filter((entry) => !only || only.includes(entry.id))) {
      console.log(`${lesson.id}${lesson.id === broken ? ' (broken on purpose: lr 0.5)' : ''}: ${lesson.claim}`)
      const results = []
      for (let seed = firstSeed; seed < firstSeed + seeds; seed++) results.push(await attempt(lesson, seed, dataDir))
      const held = results.filter((result) => result.holds).length
      if (held < seeds) failed = true
      const times = results.map((result) => result.seconds)
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
      const cpu = results.map((result) => result.cpu)
      table.push(
        `${lesson.id.padEnd(20)} held ${held}/${seeds}   per attempt: wall mean ${mean(times).toFixed(0)} s, max ${Math.max(...times).toFixed(0)} s; CPU mean ${mean(cpu).toFixed(0)} s, max ${Math.max(...cpu).toFixed(0)} s`,
      )
    }
  } finally {
    if (!givenDataDir) await rm(dataDir, { recursive: true, force: true })
  }
  console.log(`\n${table.join('\n')}`)
  process.exitCode = failed ? 1 : 0
}

await main()
