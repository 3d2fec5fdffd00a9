import { Command, InvalidArgumentError } from 'commander'
import { LR_SCHEDULES } from '../../shared/arch/specs'
import { MIXED_PRECISION_SUMMARY } from '../../shared/mixedPrecision'

export interface TrainingFlags {
  schedule?: string
  warmup?: number
  weightDecay?: number
  clip?: number
  validation?: number
  patience?: number
  parallel?: number
  precision?: string
}

function positive(value: string): number {
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`)
  return parsed
}

/** The optimisation knobs of `train` beyond epochs / batch size / learning rate. */
export function addTrainingOptions(command: Command): Command {
  return command
    .addOption(new Command().createOption('--schedule <name>', 'learning-rate schedule').choices(LR_SCHEDULES))
    .option('--warmup <epochs>', 'linear learning-rate warm-up, in epochs', positive)
    .option('--weight-decay <value>', 'L2 weight decay', positive)
    .option('--clip <norm>', 'clip gradients to this global norm', positive)
    .option('--validation <fraction>', 'hold out this fraction of the training images for validation', positive)
    .option('--patience <epochs>', 'early stopping: epochs without validation improvement', positive)
    .option('--parallel <threads>', 'data-parallel training threads on the wasm backend (try the number of free cores)', positive)
    .addOption(new Command().createOption('--precision <mode>', `fp32 (default, the reference), or ${MIXED_PRECISION_SUMMARY}; refused with the reason elsewhere`).choices(['fp32', 'mixed']))
}

/** Only what the user gave: the schema's defaults fill the rest. */
export function trainingOptionsFromFlags(flags: TrainingFlags): Record<string, unknown> {
  const options: Record<string, unknown> = {
    lrSchedule: flags.schedule,
    warmupEpochs: flags.warmup,
    weightDecay: flags.weightDecay,
    gradientClipNorm: flags.clip,
    validationFraction: flags.validation,
    earlyStoppingPatience: flags.patience,
    parallelism: flags.parallel,
    precision: flags.precision,
  }
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
}
