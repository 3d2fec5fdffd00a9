import { Command } from 'commander'
import cliProgress from 'cli-progress'
import { describeValidationError, type EventOf } from '../../shared/api/contract'
import { BackendChoice, RUN_STATUS_INFO, type RunSummary, type TrainConfig, type TrainRequestInput } from '../../shared/api/schemas'
import { ARCHITECTURE_IDS, type ArchitectureId } from '../../shared/arch/specs'
import { runDisplayName } from '../../shared/runNames'
import { DISPLAY_STATUS_INFO, displayStatus } from '../../shared/runOutcome'
import { safeResolveRun } from '../../shared/run/resolveRun'
import type { Workbench } from '../services/workbench'
import { apiCaller, type Fail, type OpenWorkbench } from './apiCall'
import { addArchOptions, archOptionsFromFlags, parseNumber, type ArchFlags } from './archCommand'
import { datasetIdFromArgument } from './dataCommand'
import { addTrainingOptions, trainingOptionsFromFlags, type TrainingFlags } from './trainingFlags'

export interface TrainFlags extends ArchFlags, TrainingFlags {
  arch: ArchitectureId
  dataset: string
  epochs?: number
  batchSize?: number
  lr?: number
  limit?: number
  testLimit?: number
  backend: string
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
    // Optimizer, schedule, seed, augmentation...: the shared list's flags (shared/run/trainingOptions).
    ...trainingOptionsFromFlags(flags),
    arch: flags.arch,
    preset: flags.preset,
    dataset: flags.dataset,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    learningRate: flags.lr,
    limit: flags.limit,
    testLimit: flags.testLimit,
    backend: flags.backend as TrainRequestInput['backend'],
  }
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as unknown as TrainRequestInput
}

/** A progress bar per epoch and a line at each epoch's end (none with --json); the returned function ends them. */
function showProgress(workbench: Workbench, runId: string, epochs: number, json: boolean | undefined): () => void {
  const bar = json
    ? undefined
    : new cliProgress.SingleBar(
        { format: 'epoch {epochLabel} |{bar}| {percentage}% | {value}/{total} samples | {speed} samples/s | ETA {eta_text} | loss {loss}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
  const onProgress = (event: EventOf<'run.progress'>) => {
    if (event.runId !== runId || !bar) return
    const last = event.points.at(-1)
    const payload = {
      epochLabel: `${event.epoch}/${epochs}`,
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
  return () => {
    unsubscribe()
    bar?.stop()
  }
}

/** The run once it ends; the first Ctrl+C stops it after its batch (its model is kept), a second aborts. */
async function waitStoppingOnCtrlC(workbench: Workbench, runId: string): Promise<RunSummary> {
  const stopOnSignal = () => {
    console.error('\nstopping after the current batch (Ctrl+C again to abort)...')
    workbench.supervisor.stop(runId)
    process.once('SIGINT', () => process.exit(130))
  }
  process.once('SIGINT', stopOnSignal)
  const run = (await workbench.supervisor.waitFor(runId)) as RunSummary
  process.off('SIGINT', stopOnSignal)
  return run
}

/** What `train --json` prints: the settings the run used and what it achieved. */
function trainSummary(runId: string, run: RunSummary, config: TrainConfig) {
  const result = run.result!
  return {
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
}

function printTrainSummary(run: RunSummary, summary: ReturnType<typeof trainSummary>): void {
  console.log(`run ${summary.runId} (${runDisplayName(run)}) ${DISPLAY_STATUS_INFO[displayStatus(run)].word} on backend ${summary.backend}${run.worker ? ` (pool worker ${run.worker})` : ''}`)
  for (const skip of summary.backendSkipped) console.log(`  skipped ${skip.name}: ${skip.reason}`)
  console.log(`  ${summary.params.toLocaleString('en-US')} parameters, ${summary.samplesPerSecond.toLocaleString('en-US')} samples/s`)
  console.log(`  test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, test loss ${summary.testLoss.toFixed(4)}`)
  // On stderr too, so a warning is seen even when stdout goes to a file.
  for (const warning of summary.warnings) console.error(`warning: ${warning}`)
}

async function train(open: OpenWorkbench, fail: Fail, flags: TrainFlags): Promise<void> {
  const workbench = await open()
  const request = trainRequestFromFlags(flags)
  const parsed = safeResolveRun(request)
  if (!parsed.success) return fail(describeValidationError(parsed.error))
  // The same resolution the server stores; shown in the progress bar and the summary.
  const config = parsed.data
  if (flags.remote && !workbench.supervisor.hasPool) fail('--remote trains on the pool: give it with --queue redis://host:port (before the command: cli --queue ... train --remote)')
  const { runId } = await apiCaller(open, fail)<{ runId: string }>('training.start', flags.remote ? { ...request, place: 'pool' } : request)
  if (flags.remote && !flags.json) console.error(`run ${runId} queued on the pool; waiting for a worker...`)
  const endProgress = showProgress(workbench, runId, config.epochs, flags.json)
  const run = await waitStoppingOnCtrlC(workbench, runId)
  endProgress()
  if (!RUN_STATUS_INFO[run.status].hasModel) fail(`run ${runId} ${run.status}: ${run.error ?? 'no reason given'}`)
  const summary = trainSummary(runId, run, config)
  if (flags.json) return console.log(JSON.stringify(summary))
  printTrainSummary(run, summary)
}

/** `train`: one run from the terminal, with a progress bar or one JSON line. */
export function registerTrainCommand(program: Command, open: OpenWorkbench, fail: Fail): void {
  const trainCommand = program
    .command('train')
    .description('train a network and report its accuracy and throughput')
    .addOption(new Command().createOption('--arch <id>', 'architecture').choices(ARCHITECTURE_IDS).makeOptionMandatory())
    .option('--dataset <id>', 'mnist, fashion-mnist, cifar10, or folder:<path> (one subfolder per class)', datasetIdFromArgument, 'mnist')
    .option('--epochs <n>', 'epochs (default: the architecture\u2019s)', parseNumber('int'))
    .option('--batch-size <n>', 'batch size', parseNumber('int'))
    .option('--lr <rate>', 'learning rate', parseNumber('float'))
    .option('--limit <n>', 'train on the first N training images only', parseNumber('int'))
    .option('--test-limit <n>', 'evaluate on N test images only (a fixed mix of classes)', parseNumber('int'))
    .addOption(new Command().createOption('--backend <name>', 'force a backend rung').choices(BackendChoice.options).default('auto'))
    .option('--json', 'print one JSON summary line instead of a progress bar')
    .option('--remote', 'train on a worker of the pool given with --queue instead of here')
  addArchOptions(addTrainingOptions(trainCommand)).action(async (flags: TrainFlags) => train(open, fail, flags))
}
