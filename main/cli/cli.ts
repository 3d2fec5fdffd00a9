import { Command, InvalidArgumentError } from 'commander'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import cliProgress from 'cli-progress'
import { describeValidationError, type EventOf } from '../../shared/api/contract'
import { runDisplayName } from '../../shared/runNames'
import { BackendChoice, MAX_IMAGE_BASE64_LENGTH, RUN_STATUS_INFO, type RunSummary, type TrainRequestInput } from '../../shared/api/schemas'
import { readRegularFile } from '../storage/regularFile'
import { addDataOptions, dataOptionsFromFlags, datasetIdFromArgument, registerDataCommand, type DataFlags } from './dataCommand'
import { ARCHITECTURE_IDS, OPTIMIZER_NAMES, type ArchitectureId, type LrSchedule, type OptimizerName } from '../../shared/arch/specs'
import { safeResolveRun } from '../../shared/run/resolveRun'
import { dispatchApiCall } from '../services/apiDispatcher'
import { registerDiagnosticCommands } from './diagnosticCommands'
import { registerExchangeCommands } from './exchangeCommands'
import { addTrainingOptions, trainingOptionsFromFlags, type TrainingFlags } from './trainingFlags'
import { createWorkbench, type Workbench } from '../services/workbench'
import { defaultDataDir } from '../storage/dataDir'
import { createNodeWorkerLauncher } from '../processes/workerLauncher'
import { addArchOptions, archOptionsFromFlags, registerArchCommand, type ArchFlags } from './archCommand'
import { registerExperimentCommand } from './experimentCommand'
import { queueUrlFromEnvironment } from '../pool/redisConnection'

/** A failure the user caused or can fix: printed as one line, no stack trace. */
class CliError extends Error {}

function number(kind: 'int' | 'float') {
  return (value: string) => {
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || (kind === 'int' && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(`expected ${kind === 'int' ? 'a whole number' : 'a number'}, got "${value}"`)
    }
    return parsed
  }
}

async function call<T>(workbench: Workbench, method: string, request: unknown): Promise<T> {
  const result = await dispatchApiCall(workbench.handlers, method, request)
  if (!result.ok) throw new CliError(result.error.message)
  return result.value as T
}

export interface TrainFlags extends ArchFlags, TrainingFlags, DataFlags {
  arch: ArchitectureId
  dataset: string
  epochs?: number
  batchSize?: number
  lr?: number
  optimizer?: string
  limit?: number
  testLimit?: number
  backend: string
  seed: number
  json?: boolean
  remote?: boolean
}

function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/**
 * What `train`'s flags ask for: only the flags given, and the preset that fills the rest (resolveRun,
 * on the server, as for the Train form).
 */
export function trainRequestFromFlags(flags: TrainFlags): TrainRequestInput {
  const request = {
    // The preset's own input size and knobs come from resolveRun, not from the flags' reading.
    ...archOptionsFromFlags(flags.arch, { ...flags, preset: undefined }),
    ...trainingOptionsFromFlags(flags),
    ...dataOptionsFromFlags(flags),
    arch: flags.arch,
    preset: flags.preset,
    dataset: flags.dataset,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    learningRate: flags.lr,
    // Flags are plain strings here; resolveRun's schema refuses a misspelt one with the accepted names.
    optimizer: flags.optimizer as OptimizerName | undefined,
    lrSchedule: flags.schedule as LrSchedule | undefined,
    limit: flags.limit,
    testLimit: flags.testLimit,
    backend: flags.backend as TrainRequestInput['backend'],
    seed: flags.seed,
  }
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as unknown as TrainRequestInput
}

async function train(workbench: Workbench, flags: TrainFlags): Promise<void> {
  const request = trainRequestFromFlags(flags)
  const parsed = safeResolveRun(request)
  if (!parsed.success) throw new CliError(describeValidationError(parsed.error))
  // The same resolution the server stores; shown in the progress bar and the summary.
  const config = parsed.data

  const bar = flags.json
    ? undefined
    : new cliProgress.SingleBar(
        { format: 'epoch {epochLabel} |{bar}| {percentage}% | {value}/{total} samples | {speed} samples/s | ETA {eta_text} | loss {loss}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
  if (flags.remote && !workbench.supervisor.hasPool) throw new CliError('--remote trains on the pool: give it with --queue redis://host:port (before the command: cli --queue ... train --remote)')
  const { runId } = await call<{ runId: string }>(workbench, 'training.start', flags.remote ? { ...request, place: 'pool' } : request)
  if (flags.remote && !flags.json) console.error(`run ${runId} queued on the pool; waiting for a worker...`)
  const onProgress = (event: EventOf<'run.progress'>) => {
    if (event.runId !== runId || !bar) return
    const last = event.points.at(-1)
    const payload = {
      epochLabel: `${event.epoch}/${config.epochs}`,
      speed: Math.round(event.samplesPerSecond),
      eta_text: formatEta(event.etaSeconds),
      loss: last ? last.loss.toFixed(4) : '-',
    }
    if (!bar.isActive) bar.start(event.totalSamples, event.samplesSeen, payload)
    else bar.update(event.samplesSeen, payload)
  }
  const onEpoch = (event: EventOf<'run.epoch'>) => {
    if (event.runId !== runId || !bar) return
    bar.stop()
    console.error(
      `epoch ${event.epoch}: train loss ${event.trainLoss.toFixed(4)} acc ${(event.trainAccuracy * 100).toFixed(2)}% | ` +
        `test loss ${event.testLoss.toFixed(4)} acc ${(event.testAccuracy * 100).toFixed(2)}% | ${event.seconds.toFixed(1)} s`,
    )
  }
  const unsubscribe = workbench.events.subscribe((event, payload) => {
    if (event === 'run.progress') onProgress(payload as EventOf<'run.progress'>)
    if (event === 'run.epoch') onEpoch(payload as EventOf<'run.epoch'>)
  })
  const stopOnSignal = () => {
    console.error('\nstopping after the current batch (Ctrl+C again to abort)...')
    workbench.supervisor.stop(runId)
    process.once('SIGINT', () => process.exit(130))
  }
  process.once('SIGINT', stopOnSignal)
  const run = (await workbench.supervisor.waitFor(runId)) as RunSummary
  process.off('SIGINT', stopOnSignal)
  unsubscribe()
  bar?.stop()
  if (!RUN_STATUS_INFO[run.status].hasModel) {
    throw new CliError(`run ${runId} ${run.status}: ${run.error ?? 'no reason given'}`)
  }
  const result = run.result!
  const summary = {
    runId,
    arch: config.arch,
    dataset: config.dataset,
    status: run.status,
    worker: run.worker ?? null,
    backend: run.backend?.name,
    backendSkipped: run.backend?.skipped ?? [],
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    trainImages: config.limit ?? null,
    params: result.params,
    samplesPerSecond: Math.round(result.samplesPerSecond),
    trainSeconds: Number(result.trainSeconds.toFixed(2)),
    trainLoss: result.trainLoss,
    trainAccuracy: result.trainAccuracy,
    testLoss: result.testLoss,
    testAccuracy: result.testAccuracy,
    warnings: run.warnings ?? [],
  }
  if (flags.json) {
    console.log(JSON.stringify(summary))
    return
  }
  console.log(`run ${runId} (${runDisplayName(run)}) ${run.status} on backend ${summary.backend}${run.worker ? ` (pool worker ${run.worker})` : ''}`)
  for (const skip of summary.backendSkipped) console.log(`  skipped ${skip.name}: ${skip.reason}`)
  console.log(`  ${summary.params.toLocaleString('en-US')} parameters, ${summary.samplesPerSecond.toLocaleString('en-US')} samples/s`)
  console.log(`  test accuracy ${(result.testAccuracy * 100).toFixed(2)}%, test loss ${result.testLoss.toFixed(4)}`)
  // On stderr too, so a warning is seen even when stdout goes to a file.
  for (const warning of summary.warnings) console.error(`warning: ${warning}`)
}

export async function runCli(argv = process.argv): Promise<void> {
  let workbench: Workbench | undefined
  const open = async () =>
    (workbench ??= await createWorkbench({
      dataDir: program.opts<{ dataDir: string }>().dataDir,
      queue: program.opts<{ queue?: string }>().queue,
      launchWorker: createNodeWorkerLauncher(),
      launchInference: createNodeWorkerLauncher('inferenceWorker'),
      mode: 'cli',
    }))

  const program = new Command('cnn-workbench')
    .description('CNN Workbench command line: the same services as the desktop app')
    .option('--data-dir <dir>', 'where runs are stored', defaultDataDir())
    .option('--queue <url>', 'a pool of training workers: redis://[:password@]host:port or rediss:// (TLS)', queueUrlFromEnvironment())
    .showHelpAfterError()

  registerArchCommand(program)

  const trainCommand = program
    .command('train')
    .description('train a network and report its accuracy and throughput')
    .addOption(new Command().createOption('--arch <id>', 'architecture').choices(ARCHITECTURE_IDS).makeOptionMandatory())
    .option('--dataset <id>', 'mnist, fashion-mnist, cifar10, or folder:<path> (one subfolder per class)', datasetIdFromArgument, 'mnist')
    .option('--epochs <n>', 'epochs (default: the architecture\u2019s)', number('int'))
    .option('--batch-size <n>', 'batch size', number('int'))
    .option('--lr <rate>', 'learning rate', number('float'))
    .addOption(new Command().createOption('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES))
    .option('--limit <n>', 'train on the first N training images only', number('int'))
    .option('--test-limit <n>', 'evaluate on N test images only (a fixed mix of classes)', number('int'))
    .addOption(new Command().createOption('--backend <name>', 'force a backend rung').choices(BackendChoice.options).default('auto'))
    .option('--seed <n>', 'random seed', number('int'), 1)
    .option('--json', 'print one JSON summary line instead of a progress bar')
    .option('--remote', 'train on a worker of the pool given with --queue instead of here')
  addDataOptions(addArchOptions(addTrainingOptions(trainCommand))).action(async (flags: TrainFlags) => train(await open(), flags))

  const fail = (message: string): never => {
    throw new CliError(message)
  }
  registerDiagnosticCommands(program, open, fail)
  registerExchangeCommands(program, open, fail)
  registerDataCommand(program, open, fail)
  registerExperimentCommand(program, open, fail)

  program
    .command('workers')
    .description('list the workers of the pool given with --queue, and what each trains')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const pool = await call<{ queue?: string; connected: boolean; error?: string; workers: { id: string; backend: string; cpu: string; cores: number; freeMemoryBytes: number; runs: string[] }[] }>(await open(), 'pool.status', {})
      if (flags.json) return console.log(JSON.stringify(pool))
      if (!pool.queue) throw new CliError('no pool: give one with --queue redis://host:port')
      if (!pool.connected) throw new CliError(pool.error ?? `cannot reach ${pool.queue}`)
      if (!pool.workers.length) console.log(`no workers on ${pool.queue}`)
      for (const worker of pool.workers) {
        const memory = `${(worker.freeMemoryBytes / 2 ** 30).toFixed(1)} GiB free`
        console.log(`${worker.id.padEnd(24)} ${worker.backend.padEnd(10)} ${worker.cores} cores, ${memory}  ${worker.runs.length ? `training ${worker.runs.join(', ')}` : 'idle'}`)
      }
    })

  program
    .command('runs')
    .description('list stored runs')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const runs = await call<RunSummary[]>(await open(), 'runs.list', {})
      if (flags.json) return console.log(JSON.stringify(runs))
      for (const run of runs) {
        const acc = run.result ? `${(run.result.testAccuracy * 100).toFixed(2)}%` : '-'
        console.log(`${run.runId}  ${run.status.padEnd(11)} test acc ${acc.padEnd(7)} ${runDisplayName(run)}`)
      }
    })

  program
    .command('predict')
    .description('classify an image with a trained run')
    .argument('<runId>', 'a completed run')
    .argument('<image>', 'image file (PNG, JPEG, WebP, GIF, TIFF)')
    .option('--json', 'print JSON')
    .action(async (runId: string, image: string, flags: { json?: boolean }) => {
      // Checked before reading: a FIFO or device given as the image must not hang the command.
      const bytes = await readRegularFile(image, (MAX_IMAGE_BASE64_LENGTH / 4) * 3).catch((error: Error) => {
        throw new CliError(`cannot read ${image}: ${error.message}`)
      })
      const prediction = await call<{ top: { label: string; probability: number }[]; preview: { warning?: string } }>(await open(), 'predict.image', {
        runId,
        fileName: basename(image),
        imageBase64: bytes.toString('base64'),
      })
      // On stderr, so that --json output keeps its shape while nobody misses it.
      if (prediction.preview.warning) console.error(`warning: ${basename(image)}: ${prediction.preview.warning}`)
      if (flags.json) return console.log(JSON.stringify(prediction.top))
      for (const entry of prediction.top) console.log(`${entry.label.padEnd(12)} ${(entry.probability * 100).toFixed(1)}%`)
    })

  program
    .command('resume')
    .description('continue a stopped, failed or interrupted run from its last checkpoint')
    .argument('<runId>', 'a run with a checkpoint')
    .addOption(new Command().createOption('--backend <name>', 'continue on this backend rung (e.g. wasm after a lost GPU)').choices(BackendChoice.options))
    .action(async (runId: string, flags: { backend?: string }) => {
      const bench = await open()
      await call(bench, 'training.resume', { runId, ...(flags.backend ? { backend: flags.backend } : {}) })
      const run = (await bench.supervisor.waitFor(runId)) as RunSummary
      if (run.status !== 'completed' && run.status !== 'stopped') throw new CliError(`run ${runId} ${run.status}: ${run.error ?? 'no reason given'}`)
      console.log(`run ${runId} ${run.status} on backend ${run.backend?.name}; test accuracy ${((run.result?.testAccuracy ?? 0) * 100).toFixed(2)}%`)
    })

  try {
    await program.parseAsync(argv)
  } finally {
    workbench?.close()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runCli().catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
