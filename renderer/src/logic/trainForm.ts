import { BackendChoice, TrainConfig, type ArchKnobsInput, type AugmentConfig, type TrainConfigInput } from '../../../shared/api/schemas'
import { analyzeModel } from '../../../shared/arch/layerMath'
import { estimateTrainingMemory, formatNeededGiB, WASM_HEAP_BACKENDS, WASM_LIMIT_TEXT, WASM_USABLE_BYTES } from '../../../shared/arch/memoryBudget'
import { getArchitecture, type ArchitectureId, type PresetId } from '../../../shared/arch/specs'
import { safeResolveRun, type ResolvedRun } from '../../../shared/run/resolveRun'
import { TRAINING_OPTIONS, type TrainingOptionField } from '../../../shared/run/trainingOptions'
import { optionRequest, type OptionInputs } from './trainOptionsForm'
import { learningRateHint } from '../../../shared/arch/learningRates'
import { MIXED_PRECISION_CHOICES } from '../../../shared/mixedPrecision'
import { friendlyMessage } from '../../../shared/api/schemaMessages'

/** What the form's inputs hold: numbers from `<input type=number>`, or the raw text when it is not one. */
export type NumberField = number | string

export interface TrainFormValues {
  arch: ArchitectureId | ''
  epochs: NumberField
  batchSize: NumberField
  learningRate: NumberField
  /** Empty means "all training images". */
  limit: NumberField
  backend: BackendChoice
  /** Side of the square input the network sees; empty means the architecture's own (the notes'). */
  inputSize?: NumberField
  /** Architecture knobs from a preset (the CPU preset's width, say); absent ones take the defaults. */
  knobs?: ArchKnobsInput
  /** `mnist`, `fashion-mnist`, `cifar10` or `folder:<path>`; absent means MNIST. */
  dataset?: string
  /** Training-time augmentation chosen in the Data view; absent means none. */
  augment?: AugmentConfig
  /** The preset whose settings fill what the form leaves out (optimizer, schedule): sent, so the server resolves the same run. */
  preset?: PresetId
  /**
   * The shared option list's fields (optimizer, schedule, precision, Advanced): blank ones are the preset's and
   * are not sent; precision is offered, and sent, only with a backend that may run mixed.
   */
  options?: OptionInputs
}

/** Whether the form offers the precision choice: for the backends that may run mixed precision. */
export function offersPrecision(backend: BackendChoice): boolean {
  return MIXED_PRECISION_CHOICES.includes(backend)
}

export type TrainFormField = 'arch' | 'epochs' | 'batchSize' | 'learningRate' | 'limit' | 'backend' | 'inputSize' | 'dataset' | TrainingOptionField
export type TrainFormErrors = Partial<Record<TrainFormField, string>>

export interface TrainFormResult {
  /** The request for `training.start`, present only when every field is valid. */
  config?: TrainConfigInput
  /**
   * Present when learning rate or batch size lists several values (`0.1, 0.05`): one run per
   * combination (`training.sweep`); `config` then holds the first combination.
   */
  sweep?: { learningRates?: number[]; batchSizes?: number[]; runs: number }
  errors: TrainFormErrors
}

/** The most runs one sweep may queue (the `training.sweep` contract's limit). */
export const MAX_SWEEP_RUNS = 36
const MAX_SWEEP_VALUES = 12

/** `0.1, 0.05` → ['0.1', '0.05']; a single value (or a number) stays one entry. */
function splitList(value: NumberField): NumberField[] {
  if (typeof value === 'number' || !value.includes(',')) return [value]
  return value.split(',').map((part) => part.trim())
}

/** Validates each listed value of a sweepable field alone; the first bad one names the problem. */
function listError(field: 'batchSize' | 'learningRate', values: NumberField[]): string | undefined {
  if (values.some((value) => isBlank(value))) return 'Remove the empty value between the commas'
  if (values.length > MAX_SWEEP_VALUES) return `At most ${MAX_SWEEP_VALUES} values`
  for (const value of values) {
    const parsed = TrainConfig.shape[field].safeParse(toNumber(value), { error: friendlyMessage })
    if (!parsed.success) return `${String(value).trim()}: ${parsed.error.issues[0]?.message ?? 'invalid'}`
  }
  if (new Set(values.map(toNumber)).size !== values.length) return 'A value is listed twice'
  return undefined
}

const FIELDS: readonly TrainFormField[] = ['arch', 'epochs', 'batchSize', 'learningRate', 'limit', 'backend', 'inputSize', 'dataset', ...TRAINING_OPTIONS.map((option) => option.field)]

function isBlank(value: NumberField): boolean {
  return typeof value === 'string' && value.trim() === ''
}

function toNumber(value: NumberField): number {
  return typeof value === 'number' ? value : Number(value.trim())
}

/** The preset's resolution of the form's architecture and data set: what its blank option fields stand for. */
export function presetResolution(values: Pick<TrainFormValues, 'arch' | 'dataset' | 'preset'>): ResolvedRun | undefined {
  if (values.arch === '') return undefined
  const resolved = safeResolveRun({ arch: values.arch, dataset: values.dataset?.trim() || 'mnist', ...(values.preset ? { preset: values.preset } : {}) })
  return resolved.success ? resolved.data : undefined
}

/** Errors of a sweep's lists (a value listed twice, too many runs); the number of runs it makes. */
function sweepErrors(lists: Record<'batchSize' | 'learningRate', NumberField[]>, errors: TrainFormErrors): number {
  for (const field of ['batchSize', 'learningRate'] as const) {
    if (lists[field].length > 1) {
      const problem = listError(field, lists[field])
      if (problem) errors[field] = problem
    }
  }
  const runs = lists.batchSize.length * lists.learningRate.length
  if (runs > MAX_SWEEP_RUNS) errors.learningRate ??= `${runs} combinations: a sweep may queue at most ${MAX_SWEEP_RUNS} runs`
  return runs
}

/** Validates the form with the shared `TrainConfig` schema; one message per invalid field. */
export function validateTrainForm(values: TrainFormValues): TrainFormResult {
  const errors: TrainFormErrors = {}
  const lists = { batchSize: splitList(values.batchSize), learningRate: splitList(values.learningRate) }
  const required = (field: 'epochs' | 'batchSize' | 'learningRate'): number => {
    const value = field === 'epochs' ? values.epochs : lists[field][0]!
    if (isBlank(value)) errors[field] = 'Required'
    return toNumber(value)
  }
  const runs = sweepErrors(lists, errors)
  const options = optionRequest(values.options ?? {}, { backend: values.backend, preset: presetResolution(values) })
  Object.assign(errors, options.errors)
  const candidate = {
    arch: values.arch,
    dataset: values.dataset?.trim() || 'mnist',
    epochs: required('epochs'),
    batchSize: required('batchSize'),
    learningRate: required('learningRate'),
    ...(isBlank(values.limit) ? {} : { limit: toNumber(values.limit) }),
    ...(values.inputSize === undefined || isBlank(values.inputSize) ? {} : { inputSize: toNumber(values.inputSize) }),
    ...(values.knobs && Object.keys(values.knobs).length ? { knobs: values.knobs } : {}),
    ...(values.augment ? { augment: values.augment } : {}),
    backend: values.backend,
    ...(values.preset ? { preset: values.preset } : {}),
    ...options.values,
  }
  if (values.arch === '') errors.arch = 'Choose an architecture'

  const parsed = TrainConfig.safeParse(candidate, { error: friendlyMessage })
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0]
      if (typeof field === 'string' && (FIELDS as readonly string[]).includes(field)) {
        const key = field as TrainFormField
        errors[key] ??= issue.message
      }
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { errors }
  if (runs > 1) {
    const sweep: NonNullable<TrainFormResult['sweep']> = { runs }
    if (lists.learningRate.length > 1) sweep.learningRates = lists.learningRate.map(toNumber)
    if (lists.batchSize.length > 1) sweep.batchSizes = lists.batchSize.map(toNumber)
    return { config: candidate as TrainConfigInput, sweep, errors }
  }
  return { config: candidate as TrainConfigInput, errors }
}

/** The Start button's reason to be disabled, in a few words; `undefined` when it may be pressed. */
export function startBlockedReason(options: {
  loading: boolean
  busy: boolean
  activeRun: boolean
  errors: TrainFormErrors
  /** The memory estimate says the run cannot fit (it would be refused when it starts). */
  memory?: MemoryProblem
}): string | undefined {
  if (options.loading) return 'Loading architectures…'
  if (options.busy) return 'Starting…'
  if (options.activeRun) return 'A run is in progress'
  const count = Object.keys(options.errors).length
  if (count === 1) return 'Fix the highlighted field to start'
  if (count > 1) return `Fix the ${count} highlighted fields to start`
  if (options.memory) {
    const needs = `Batch ${options.memory.batchSize} needs about ${formatNeededGiB(options.memory.bytes)}, more than ${WASM_LIMIT_TEXT}`
    return options.memory.maxBatchSize >= 1 ? `${needs}: batch ${options.memory.maxBatchSize} or less fits` : `${needs} even at batch 1: use the CPU preset`
  }
  return undefined
}

/** A run the wasm backends' 4 GiB heap cannot hold: the batch asked for, its estimate, and the largest batch that fits (0: none). */
export interface MemoryProblem {
  batchSize: number
  bytes: number
  maxBatchSize: number
}

/**
 * The shared memory estimate (shared/arch/memoryBudget) for the largest batch asked for; undefined when
 * it fits, or when the backend asked for is native TensorFlow, which has no 4 GiB heap.
 */
export function memoryProblem(config: TrainConfigInput, batchSizes: number[] = [config.batchSize]): MemoryProblem | undefined {
  // `auto` may well end on a wasm rung (it does unless native TensorFlow is installed).
  const backend = config.backend ?? 'auto'
  if (backend !== 'auto' && !WASM_HEAP_BACKENDS.includes(backend)) return undefined
  const channels = config.dataset === 'mnist' || config.dataset === 'fashion-mnist' ? 1 : 3
  const spec = getArchitecture(config.arch as ArchitectureId, { inputSize: config.inputSize, channels, knobs: config.knobs })
  const batchSize = Math.max(...batchSizes)
  const estimate = estimateTrainingMemory(analyzeModel(spec, spec.input), batchSize)
  if (estimate.bytes <= WASM_USABLE_BYTES) return undefined
  return { batchSize, bytes: estimate.bytes, maxBatchSize: estimate.maxBatchSize }
}

/**
 * A warning for a configuration too big for the wasm backends' 4 GiB heap (the run would be refused
 * there): none when the backend asked for is native TensorFlow, which has no such limit.
 */
export function memoryWarning(config: TrainConfigInput, batchSizes: number[] = [config.batchSize]): string | undefined {
  const problem = memoryProblem(config, batchSizes)
  if (!problem) return undefined
  const fix = problem.maxBatchSize >= 1 ? `use a batch size of at most ${problem.maxBatchSize} or the CPU preset` : 'use the CPU preset'
  return `Batch ${problem.batchSize} needs about ${formatNeededGiB(problem.bytes)} to train, more than ${WASM_LIMIT_TEXT} (used unless native TensorFlow is installed): ${fix}.`
}

/**
 * A hint when a learning rate (any of a sweep's) is far outside the usual range for the optimizer the run
 * will use (the architecture's when none is chosen): such runs diverge or stand still.
 */
export function learningRateNote(config: TrainConfigInput, learningRates: number[] = [config.learningRate]): string | undefined {
  const resolved = safeResolveRun(config)
  if (!resolved.success) return undefined
  const optimizer = resolved.data.optimizer
  for (const rate of learningRates) {
    const hint = learningRateHint(optimizer, rate)
    if (hint) return `Learning rate ${hint}.`
  }
  return undefined
}
