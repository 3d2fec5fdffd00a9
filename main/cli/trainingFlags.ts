import { InvalidArgumentError, Option, type Command } from 'commander'
import { flagAttribute, parseOptionText, TRAINING_OPTIONS, type TrainingOption } from '../../shared/run/trainingOptions'

/**
 * What commander hands over for the training options: each already read into its TrainConfig value
 * (`--augment crop,flip` as an AugmentConfig), keyed by the flag's attribute name (`weightDecay`).
 */
export type TrainingFlags = Record<string, unknown>

/** One flag of shared/run/trainingOptions: its choices, or a parser checked by the TrainConfig field's schema. */
function cliOption(option: TrainingOption): Option {
  if (option.kind === 'switch') return new Option(option.flag, option.help)
  const flag = new Option(`${option.flag} ${option.argument}`, option.help)
  if (option.kind === 'choice' && !option.freeText) return flag.choices(option.choices.map((choice) => choice.value))
  return flag.argParser((text: string) => {
    const parsed = parseOptionText(option, text)
    if (!parsed.ok) throw new InvalidArgumentError(parsed.error)
    return parsed.value
  })
}

/** The training options of `train` beyond epochs / batch size / learning rate, from the shared list. */
export function addTrainingOptions(command: Command): Command {
  for (const option of TRAINING_OPTIONS) command.addOption(cliOption(option))
  return command
}

/** Only what the user gave: the preset and the schema's defaults fill the rest (resolveRun). */
export function trainingOptionsFromFlags(flags: TrainingFlags): Record<string, unknown> {
  const options: Record<string, unknown> = {}
  for (const option of TRAINING_OPTIONS) {
    const value = flags[flagAttribute(option)]
    // A switch is on unless turned off: only `--no-shuffle` (false) is a choice the user made.
    if (option.kind === 'switch' ? value === false : value !== undefined) options[option.field] = value
  }
  return options
}
