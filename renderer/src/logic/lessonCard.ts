/**
 * What a lesson's card says, in words: the one setting its runs differ in (never a raw config key), each
 * run's progress, and how its verdict is shown. Pure, so it is unit tested without a browser.
 */
import { differingFields } from '../../../shared/configDiff'
import { configFieldLabel } from '../../../shared/run/configLabels'
import { ARCHITECTURE_FAMILIES, type ArchitectureId } from '../../../shared/arch/specs'
import type { TrainConfigInput } from '../../../shared/api/schemas'
import type { Lesson, LessonAttempt, LessonRunOutcome, LessonVerdict } from '../../../shared/lessons/lessonTypes'
import { formatPercent } from './format'

type Words = (value: unknown) => string

const onOff = (on: string, off: string): Words => (value) => (value ? on : off)

/** Each setting a lesson varies: its name in a sentence ("what differs: the activation") and its values in words. */
const SETTINGS: Record<string, { name: string; words: Words }> = {
  'knobs.activation': { name: 'the activation', words: (value) => `${value === 'relu' ? 'ReLU' : String(value)} activations` },
  'knobs.pooling': { name: 'the pooling', words: (value) => (value === 'avg' ? 'average pooling (mean of each window)' : value === 'max' ? 'max pooling (strongest of each window)' : `${String(value)} pooling`) },
  'knobs.batchNorm': { name: 'batch normalization', words: onOff('batch norm before every activation', 'no batch norm') },
  'knobs.residual': { name: 'the shortcuts', words: onOff('a shortcut around every block', 'no shortcuts: a plain stack') },
  'knobs.reductions': { name: 'the 1x1 reductions', words: onOff('1x1 convolutions shrink the channels first', 'no 1x1 reductions: 3x3 and 5x5 on all channels') },
  'knobs.dropout': { name: 'dropout', words: (value) => (Number(value) > 0 ? `${Math.round(Number(value) * 100)}% of the dense units dropped at each step` : 'no dropout') },
  'knobs.lrn': { name: 'local response normalization', words: onOff('local response normalization', 'no local response normalization') },
  'knobs.width': { name: 'the width', words: (value) => `${String(value)}x the channels` },
  augment: { name: 'augmentation', words: augmentationWords },
  shuffle: { name: 'the order of the training images', words: orderWords },
  normalize: { name: 'the input scaling', words: normalizationWords },
  batchSize: { name: 'the batch size', words: (value) => `${String(value)} images per batch` },
  learningRate: { name: 'the learning rate', words: (value) => `learning rate ${String(value)}` },
  optimizer: { name: 'the optimizer', words: (value) => String(value) },
  epochs: { name: 'the number of epochs', words: (value) => `${String(value)} epochs` },
  limit: { name: 'the number of training images', words: (value) => `${String(value)} training images` },
  inputSize: { name: 'the input size', words: (value) => `${String(value)}x${String(value)} pixels` },
  seed: { name: 'the random start (seed)', words: (value) => `seed ${String(value)}` },
  arch: { name: 'the network', words: (value) => ARCHITECTURE_FAMILIES[value as ArchitectureId]?.name ?? String(value) },
}

function augmentationWords(value: unknown): string {
  const augment = (value ?? {}) as { cropPadding?: number; flip?: boolean; brightness?: number; contrast?: number; pcaNoise?: number }
  const parts = [
    augment.cropPadding ? `random crop (padded ${augment.cropPadding} px)` : '',
    augment.flip ? 'horizontal flip' : '',
    augment.brightness ? `brightness ±${augment.brightness}` : '',
    augment.contrast ? `contrast ±${augment.contrast}` : '',
    augment.pcaNoise ? `colour noise ${augment.pcaNoise}` : '',
  ].filter(Boolean)
  return parts.length ? parts.join(' + ') : 'the images as they are'
}

function orderWords(value: unknown): string {
  if (value === 'class-sorted') return 'one fixed order, sorted by class (as a folder of class subfolders is read)'
  return value === false ? 'the data set’s stored order, every epoch' : 'shuffled every epoch'
}

function normalizationWords(value: unknown): string {
  if (value === undefined || value === 'none') return 'raw pixels in [0, 1]'
  if (value === 'dataset') return 'normalized with the data set’s mean and standard deviation'
  const stats = value as { mean: number[]; std: number[] }
  return `normalized with mean ${stats.mean.join(', ')} and std ${stats.std.join(', ')}`
}

/** The value at a dotted path (`knobs.activation`), or undefined. */
function valueAt(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), config)
}

/** A setting's value in words; one not known here reads `name: value`. */
export function settingWords(field: string, value: unknown): string {
  const known = SETTINGS[field]
  if (known) return known.words(value)
  return `${configFieldLabel(field)}: ${value === undefined ? 'default' : JSON.stringify(value)}`
}

/** What the lesson's runs differ in, for "What differs: …". */
export function differingSettingName(lesson: Pick<Lesson, 'field' | 'runs'>): string {
  const fields = lessonFields(lesson)
  return fields.map((field) => SETTINGS[field]?.name ?? configFieldLabel(field)).join(', ')
}

/** The lesson's field, or (the ensemble: no field) the fields its runs' configs differ in. */
function lessonFields(lesson: Pick<Lesson, 'field' | 'runs'>): string[] {
  if (lesson.field) return [lesson.field]
  return differingFields(lesson.runs.map((run) => run.config))
}

/** Each run's label and its setting in words, in the lesson's order (baseline first). */
export function runSettings(lesson: Pick<Lesson, 'field' | 'runs'>): { label: string; setting: string }[] {
  const fields = lessonFields(lesson)
  return lesson.runs.map((run) => ({
    label: run.label,
    setting: fields.map((field) => settingWords(field, valueAt(run.config as TrainConfigInput, field)) + stepsPerEpoch(field, run.config)).join('; '),
  }))
}

/** What a batch size means for an epoch on the lesson's slice: how many steps it takes. */
function stepsPerEpoch(field: string, config: TrainConfigInput): string {
  if (field !== 'batchSize' || !config.limit) return ''
  return ` (${Math.ceil(config.limit / config.batchSize)} steps per epoch of ${config.limit} images)`
}

export type VerdictTone = 'holds' | 'pending' | 'fails'

/** How a verdict is shown: green when the claim showed, neutral while runs train, amber/red otherwise. */
export function verdictTone(verdict: Pick<LessonVerdict, 'holds' | 'reason'>): VerdictTone {
  if (verdict.holds) return 'holds'
  return verdict.reason === 'pending' ? 'pending' : 'fails'
}

/** The verdict's heading word(s). */
export function verdictHeading(verdict: Pick<LessonVerdict, 'holds' | 'reason'>): string {
  if (verdict.holds) return 'Holds'
  switch (verdict.reason) {
    case 'pending':
      return 'Waiting for the runs'
    case 'incomplete':
      return 'Not shown: a run did not finish'
    case 'changed':
      return 'Not shown: a run was changed'
    case 'noise':
      return 'Does not hold: within noise'
    default:
      return 'Does not hold'
  }
}

/** A run as it stands: `epoch 2 of 3 · test 81.2% · train 84.0%` (train measured without dropout/augmentation). */
export function runProgressLine(outcome: Pick<LessonRunOutcome, 'status' | 'epochs' | 'config' | 'testAccuracy' | 'trainAccuracy'>): string {
  const last = outcome.epochs.at(-1)
  const parts: string[] = []
  if (last) parts.push(`epoch ${last.epoch} of ${outcome.config.epochs}`)
  else if (outcome.status === 'queued') parts.push('waiting for a free slot')
  else if (outcome.status === 'running') parts.push(`epoch 1 of ${outcome.config.epochs}`)
  const test = outcome.testAccuracy ?? last?.testAccuracy
  const train = outcome.trainAccuracy ?? last?.trainAccuracy
  if (test !== undefined) parts.push(`test ${formatPercent(test)}`)
  if (train !== undefined) parts.push(`train ${formatPercent(train)}`)
  return parts.join(' · ')
}

/** Whether any of the attempt's runs is still queued, running or paused. */
export function attemptActive(attempt: Pick<LessonAttempt, 'runs'> | undefined): boolean {
  return !!attempt?.runs.some((run) => run.status === 'queued' || run.status === 'running' || run.status === 'paused')
}
