/**
 * The training options a user may set beyond epochs, batch size and learning rate: one list, from which the
 * CLI builds its flags (main/cli/trainingFlags.ts) and the Train form its fields (TrainForm.vue, "Advanced").
 * Each names the TrainConfig field it sets; the values are validated by that field's zod schema
 * (shared/api/schemas/trainConfig.ts), and what a user leaves out is filled by resolveRun from the preset.
 */
import { TrainConfig, type AugmentConfig, type BackendChoice, type TrainConfigInput } from '../api/schemas'
import { LR_SCHEDULES, OPTIMIZER_NAMES } from '../arch/specs'
import { MIXED_PRECISION_CHOICES, MIXED_PRECISION_SUMMARY } from '../mixedPrecision'
import { friendlyMessage } from '../api/schemaMessages'

export type TrainingOptionField =
  | 'optimizer'
  | 'lrSchedule'
  | 'lrStepEpochs'
  | 'lrStepGamma'
  | 'warmupEpochs'
  | 'weightDecay'
  | 'gradientClipNorm'
  | 'validationFraction'
  | 'earlyStoppingPatience'
  | 'seed'
  | 'augment'
  | 'normalize'
  | 'shuffle'
  | 'precision'
  | 'parallelism'

interface OptionBase {
  field: TrainingOptionField
  /** The CLI flag, e.g. `--weight-decay` (`--no-shuffle` for a switch that is on unless turned off). */
  flag: string
  label: string
  help: string
  /** `basic`: shown in the form at once; `advanced`: in its Advanced section. */
  group: 'basic' | 'advanced'
  /** Offered (and sent) only while another setting holds one of these values. */
  shownWhen?: { field: 'lrSchedule' | 'backend'; oneOf: readonly string[] }
  /** What it is when left out and the preset sets none: words (`no clipping`), or a choice's value (`fp32`). */
  unset?: string
}

export interface ChoiceOption extends OptionBase {
  kind: 'choice'
  argument: string
  choices: readonly { value: string; label: string }[]
  /** The CLI also takes values outside the choices (normalize's `mean:std`), read by `parseOptionText`. */
  freeText?: boolean
}
export interface NumberOption extends OptionBase {
  kind: 'number'
  argument: string
  integer: boolean
}
/** Several names at once (`--augment crop,flip`). */
export interface ListOption extends OptionBase {
  kind: 'list'
  argument: string
  choices: readonly { value: string; label: string }[]
}
/** On unless turned off (`--no-shuffle`). */
export interface SwitchOption extends OptionBase {
  kind: 'switch'
}
export type TrainingOption = ChoiceOption | NumberOption | ListOption | SwitchOption

const choices = (values: readonly string[], labels: Record<string, string> = {}) => values.map((value) => ({ value, label: labels[value] ?? value }))


/** The augmentations the CLI and the form name; the Data view may set finer values (AugmentConfig). */
export const AUGMENT_NAMES = ['crop', 'flip', 'jitter', 'pca'] as const
export type AugmentName = (typeof AUGMENT_NAMES)[number]

export const TRAINING_OPTIONS: readonly TrainingOption[] = [
  { field: 'optimizer', flag: '--optimizer', argument: '<name>', kind: 'choice', group: 'basic', label: 'Optimizer', choices: choices(OPTIMIZER_NAMES), help: 'how the gradients change the weights: sgd (plain), momentum or nesterov (SGD with momentum 0.9), adam, rmsprop' },
  { field: 'lrSchedule', flag: '--schedule', argument: '<name>', kind: 'choice', group: 'basic', label: 'LR schedule', choices: choices(LR_SCHEDULES), help: 'how the learning rate changes over the epochs' },
  { field: 'lrStepEpochs', flag: '--step-epochs', argument: '<epochs>', kind: 'number', integer: true, group: 'advanced', label: 'Step every (epochs)', shownWhen: { field: 'lrSchedule', oneOf: ['step'] }, help: 'step schedule: multiply the rate by the step factor every this many epochs' },
  { field: 'lrStepGamma', flag: '--step-gamma', argument: '<factor>', kind: 'number', integer: false, group: 'advanced', label: 'Step factor', shownWhen: { field: 'lrSchedule', oneOf: ['step'] }, help: 'step schedule: the factor the rate is multiplied by at each step' },
  { field: 'warmupEpochs', flag: '--warmup', argument: '<epochs>', kind: 'number', integer: false, group: 'advanced', label: 'Warm-up (epochs)', help: 'linear learning-rate warm-up from about 0, in epochs (fractions allowed)' },
  { field: 'weightDecay', flag: '--weight-decay', argument: '<value>', kind: 'number', integer: false, group: 'advanced', label: 'Weight decay', help: 'L2 decay on all trainable weights, biases and batch norm\u2019s included (coupled, as PyTorch SGD\u2019s weight_decay)' },
  { field: 'gradientClipNorm', flag: '--clip', argument: '<norm>', kind: 'number', integer: false, group: 'advanced', label: 'Gradient clip (norm)', unset: 'no clipping', help: 'clip gradients to this global norm' },
  { field: 'validationFraction', flag: '--validation', argument: '<fraction>', kind: 'number', integer: false, group: 'advanced', label: 'Validation fraction', help: 'hold out this fraction of the training images for validation (up to 0.5)' },
  { field: 'earlyStoppingPatience', flag: '--patience', argument: '<epochs>', kind: 'number', integer: true, group: 'advanced', label: 'Early-stopping patience', unset: 'never stop early', help: 'early stopping: end after this many epochs without validation improvement (needs a validation fraction)' },
  { field: 'seed', flag: '--seed', argument: '<n>', kind: 'number', integer: true, group: 'advanced', label: 'Seed', help: 'random seed: initial weights, shuffling, augmentation' },
  { field: 'augment', flag: '--augment', argument: '<list>', kind: 'list', group: 'advanced', label: 'Augmentation', choices: choices(AUGMENT_NAMES, { crop: 'crop (4 px padding)', flip: 'flip', jitter: 'jitter (brightness, contrast 0.2)', pca: 'pca (AlexNet\u2019s colour noise 0.1)' }), help: `training augmentation, comma-separated: ${AUGMENT_NAMES.join(', ')}` },
  { field: 'normalize', flag: '--normalize', argument: '<how>', kind: 'choice', freeText: true, group: 'advanced', label: 'Normalization', choices: choices(['none', 'dataset'], { dataset: 'dataset mean/std' }), help: 'none, dataset (mean/std of the training split), or mean,..:std,.. (e.g. 0.5:0.25)' },
  { field: 'shuffle', flag: '--no-shuffle', kind: 'switch', group: 'advanced', label: 'Reshuffle every epoch', help: 'keep the data set order instead of reshuffling every epoch' },
  { field: 'precision', flag: '--precision', argument: '<mode>', kind: 'choice', group: 'basic', label: 'Precision', shownWhen: { field: 'backend', oneOf: MIXED_PRECISION_CHOICES }, unset: 'fp32', choices: choices(['fp32', 'mixed'], { mixed: 'mixed (f16)' }), help: `fp32 (default, the reference), or ${MIXED_PRECISION_SUMMARY}; refused with the reason elsewhere` },
  { field: 'parallelism', flag: '--parallel', argument: '<threads>', kind: 'number', integer: true, group: 'advanced', label: 'Parallel threads', help: 'data-parallel training threads on the wasm backend (try the number of free cores)' },
]

export function trainingOption(field: TrainingOptionField): TrainingOption {
  return TRAINING_OPTIONS.find((option) => option.field === field)!
}

/** Whether an option applies with these settings (the step factor only with the step schedule, ...). */
export function optionShown(option: TrainingOption, settings: { lrSchedule?: string; backend?: BackendChoice | string }): boolean {
  if (!option.shownWhen) return true
  const value = settings[option.shownWhen.field]
  return value !== undefined && option.shownWhen.oneOf.includes(value)
}

/** The name commander gives a flag's value: `--weight-decay` → `weightDecay`, `--no-shuffle` → `shuffle`. */
export function flagAttribute(option: TrainingOption): string {
  const name = option.flag.replace(/^--(no-)?/, '')
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
}

/** The CLI's augmentation names as the AugmentConfig they stand for. */
export function augmentFromNames(names: readonly string[]): AugmentConfig {
  return {
    cropPadding: names.includes('crop') ? 4 : 0,
    flip: names.includes('flip'),
    brightness: names.includes('jitter') ? 0.2 : 0,
    contrast: names.includes('jitter') ? 0.2 : 0,
    pcaNoise: names.includes('pca') ? 0.1 : 0,
  }
}

/** Which of the named augmentations a config switches on (any crop is `crop`, any jitter `jitter`). */
export function augmentNames(augment: Partial<AugmentConfig> | undefined): AugmentName[] {
  if (!augment) return []
  const on: Record<AugmentName, boolean> = {
    crop: (augment.cropPadding ?? 0) > 0,
    flip: !!augment.flip,
    jitter: (augment.brightness ?? 0) > 0 || (augment.contrast ?? 0) > 0,
    pca: (augment.pcaNoise ?? 0) > 0,
  }
  return AUGMENT_NAMES.filter((name) => on[name])
}

/**
 * One named augmentation switched on or off, the others kept as they are (the Data view's finer values
 * included: its crop of 2 px stays 2 when flip is ticked); null once none is left.
 */
export function toggleAugment(augment: AugmentConfig | null | undefined, name: AugmentName, on: boolean): AugmentConfig | null {
  const base = augment ?? augmentFromNames([])
  const named = augmentFromNames([name])
  const next: AugmentConfig = { ...base }
  if (name === 'crop') next.cropPadding = on ? base.cropPadding || named.cropPadding : 0
  if (name === 'flip') next.flip = on
  if (name === 'jitter') {
    next.brightness = on ? base.brightness || named.brightness : 0
    next.contrast = on ? base.contrast || named.contrast : 0
  }
  if (name === 'pca') next.pcaNoise = on ? base.pcaNoise || named.pcaNoise : 0
  return augmentNames(next).length ? next : null
}

export type ParsedOption = { ok: true; value: unknown } | { ok: false; error: string }

function parseNormalize(text: string): ParsedOption {
  if (text === 'none' || text === 'dataset') return { ok: true, value: text }
  const [mean, std] = text.split(':').map((part) => part.split(',').map(Number))
  if (!mean?.length || !std?.length || [...mean, ...std].some((v) => !Number.isFinite(v))) {
    return { ok: false, error: `Expected none, dataset or mean:std numbers like 0.5,0.5,0.5:0.25,0.25,0.25, got "${text}"` }
  }
  return { ok: true, value: { mean, std } }
}

function parseText(option: TrainingOption, text: string): ParsedOption {
  const trimmed = text.trim()
  switch (option.kind) {
    case 'number': {
      const value = Number(trimmed)
      return trimmed === '' || !Number.isFinite(value) ? { ok: false, error: `Enter a number (got "${text}")` } : { ok: true, value }
    }
    case 'list': {
      const names = trimmed.split(',').map((name) => name.trim()).filter(Boolean)
      const unknown = names.filter((name) => !option.choices.some((choice) => choice.value === name))
      if (unknown.length) return { ok: false, error: `Unknown ${unknown.join(', ')}: choose from ${option.choices.map((c) => c.value).join(', ')}` }
      return { ok: true, value: augmentFromNames(names) }
    }
    case 'choice':
      if (option.field === 'normalize') return parseNormalize(trimmed)
      return option.choices.some((choice) => choice.value === trimmed) ? { ok: true, value: trimmed } : { ok: false, error: `Choose one of ${option.choices.map((c) => c.value).join(', ')}` }
    case 'switch':
      return { ok: false, error: 'a switch takes no value' }
  }
}

/**
 * A user's text for an option (a CLI argument, a form field) as the value its TrainConfig field takes,
 * checked by that field's schema: one message for what is not a number, out of range, or not a choice.
 */
export function parseOptionText(option: TrainingOption, text: string): ParsedOption {
  const parsed = parseText(option, text)
  if (!parsed.ok) return parsed
  const checked = TrainConfig.shape[option.field].safeParse(parsed.value, { error: friendlyMessage })
  if (checked.success) return parsed
  return { ok: false, error: checked.error.issues[0]?.message ?? 'invalid' }
}

/** A resolved value in words, as the form shows the preset's choice (`sgd`, `0`, `no clipping`). */
export function describeOptionValue(option: TrainingOption, value: unknown): string {
  if (value === undefined || value === null) {
    if (option.kind === 'choice' && option.unset !== undefined) return describeOptionValue(option, option.unset)
    return option.unset ?? 'none'
  }
  if (option.kind === 'list') return augmentNames(value as Partial<AugmentConfig>).join(', ') || 'none'
  if (option.kind === 'switch') return value === false ? 'off' : 'on'
  if (option.kind === 'choice' && typeof value === 'string') return option.choices.find((c) => c.value === value)?.label ?? value
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The request fields options set: only those given (the preset and the schema's defaults fill the rest). */
export type TrainingOptionValues = Partial<Pick<TrainConfigInput, TrainingOptionField>>
