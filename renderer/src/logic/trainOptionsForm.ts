/**
 * The Train form's training options (optimizer, schedule, Advanced...): the fields of the shared option list
 * (shared/run/trainingOptions, the CLI's flags too), read into request fields. A field left blank is the
 * preset's (or the schema's default) and is not sent, so the server resolves the run exactly as the form shows.
 */
import type { BackendChoice } from '../../../shared/api/schemas'
import type { ResolvedRun } from '../../../shared/run/resolveRun'
import { describeOptionValue, optionShown, parseOptionText, TRAINING_OPTIONS, type TrainingOption, type TrainingOptionField } from '../../../shared/run/trainingOptions'

/** What the option fields hold: text ('' = the preset's), a choice ('' = the preset's), or a switch turned off. */
export type OptionInputs = Partial<Record<TrainingOptionField, string | boolean>>
export type OptionErrors = Partial<Record<TrainingOptionField, string>>

/** The settings that decide which options apply: the step factor with the step schedule, precision with webgpu/auto. */
export interface OptionContext {
  backend: BackendChoice
  /** The preset's resolution of the run: its schedule counts when the form leaves the schedule blank. */
  preset?: Pick<ResolvedRun, 'lrSchedule'>
}

function effectiveSettings(inputs: OptionInputs, context: OptionContext) {
  const chosen = inputs.lrSchedule
  return { backend: context.backend, lrSchedule: typeof chosen === 'string' && chosen !== '' ? chosen : context.preset?.lrSchedule }
}

/**
 * The options a group of the form shows with these inputs. Augmentation is left out: the form binds it to
 * the augmentation the Data view shares (one value for both), with the same names as `--augment`.
 */
export function shownOptions(group: TrainingOption['group'], inputs: OptionInputs, context: OptionContext): TrainingOption[] {
  const settings = effectiveSettings(inputs, context)
  return TRAINING_OPTIONS.filter((option) => option.group === group && option.field !== 'augment' && optionShown(option, settings))
}

/**
 * The option inputs as request fields: only those the user set, for options that apply now (a mixed
 * precision chosen for webgpu is not sent once the backend is wasm); one message per bad field.
 */
export function optionRequest(inputs: OptionInputs, context: OptionContext): { values: Record<string, unknown>; errors: OptionErrors } {
  const values: Record<string, unknown> = {}
  const errors: OptionErrors = {}
  const settings = effectiveSettings(inputs, context)
  for (const option of TRAINING_OPTIONS) {
    const input = inputs[option.field]
    if (input === undefined || input === '' || option.field === 'augment' || !optionShown(option, settings)) continue
    // The default itself (precision fp32) stays implicit, as when the field is left blank.
    if (option.kind === 'choice' && input === option.unset) continue
    if (option.kind === 'switch') {
      if (input === false) values[option.field] = false
      continue
    }
    const parsed = parseOptionText(option, String(input))
    if (parsed.ok) values[option.field] = parsed.value
    else errors[option.field] = parsed.error
  }
  return { values, errors }
}

/** What a blank field stands for: the preset's value in words (`sgd (plain)`, `0`, `no clipping`). */
export function presetOptionText(option: TrainingOption, preset: ResolvedRun | undefined): string {
  return preset ? describeOptionValue(option, preset[option.field]) : ''
}

/** A choice field's options: the preset's first (value '', not sent), then the others. */
export function choiceEntries(option: TrainingOption, preset: ResolvedRun | undefined): { value: string; label: string }[] {
  if (option.kind !== 'choice') return []
  const presetValue = preset?.[option.field] ?? option.unset
  const first = { value: '', label: `${presetOptionText(option, preset) || 'default'} (preset)` }
  return [first, ...option.choices.filter((choice) => choice.value !== presetValue)]
}

/** Options set away from the preset, in words, for the Advanced section's summary (`weight decay 0.0005`). */
export function changedOptions(inputs: OptionInputs, context: OptionContext): string[] {
  const { values } = optionRequest(inputs, context)
  return TRAINING_OPTIONS.filter((option) => option.group === 'advanced' && option.field in values).map(
    (option) => `${option.label.replace(/\s*\(.*\)$/, '').toLowerCase()} ${option.kind === 'choice' ? String(values[option.field]) : describeOptionValue(option, values[option.field])}`,
  )
}
