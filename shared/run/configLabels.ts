/**
 * Words for a run's settings, in one place: the label of each config field (flattened to dotted paths,
 * `knobs.activation`), how a setting reads in a run's default name (`lr 0.02`, `crop padding 4 px`,
 * `shortcuts off`), and how a value reads in a table. Run names, Compare's diff and lesson cards use these.
 */
import type { FlatValue } from '../configDiff'

/** Each field's label; a field not listed reads as its last path segment. */
export const CONFIG_FIELD_LABELS: Readonly<Record<string, string>> = {
  arch: 'architecture',
  preset: 'preset',
  dataset: 'data set',
  epochs: 'epochs',
  batchSize: 'batch size',
  learningRate: 'learning rate',
  optimizer: 'optimizer',
  weightDecay: 'weight decay',
  lrSchedule: 'LR schedule',
  lrStepEpochs: 'LR step every (epochs)',
  lrStepGamma: 'LR step factor',
  warmupEpochs: 'warm-up (epochs)',
  gradientClipNorm: 'gradient clipping (norm)',
  validationFraction: 'validation share',
  earlyStoppingPatience: 'early-stopping patience (epochs)',
  limit: 'training images',
  testLimit: 'test images',
  inputSize: 'input size (px)',
  'knobs.activation': 'activation',
  'knobs.pooling': 'pooling',
  'knobs.batchNorm': 'batch norm',
  'knobs.dropout': 'dropout',
  'knobs.lrn': 'LRN',
  'knobs.residual': 'shortcuts',
  'knobs.reductions': '1×1 reductions',
  'knobs.width': 'width',
  'augment.cropPadding': 'crop padding (px)',
  'augment.flip': 'horizontal flip',
  'augment.brightness': 'brightness jitter',
  'augment.contrast': 'contrast jitter',
  'augment.pcaNoise': 'PCA colour noise',
  normalize: 'normalization',
  'normalize.mean': 'normalization mean',
  'normalize.std': 'normalization std',
  shuffle: 'shuffle',
  evaluateTrainSplit: 'evaluate train split',
  backend: 'backend',
  precision: 'precision',
  parallelism: 'parallel replicas',
  seed: 'seed',
}

/** The label of a config field (`knobs.residual` → `shortcuts`). */
export function configFieldLabel(field: string): string {
  return CONFIG_FIELD_LABELS[field] ?? field.split('.').at(-1)!
}

/** A value in a table: on/off for switches, a dash when unset. */
export function configValueText(value: FlatValue): string {
  if (value === undefined) return '—'
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'on' : 'off'
  return String(value)
}

/** The label without a unit in brackets: what a setting's words in a name start with. */
const bare = (field: string) => configFieldLabel(field).replace(/\s*\(.*\)$/, '')

/** `lr 0.02`, `batch 128`, `3 epochs`, `crop padding 4 px`, `shortcuts off`: a setting in a run's name. */
export function settingInName(field: string, value: FlatValue): string {
  const shown = value === undefined ? 'default' : String(value)
  switch (field) {
    case 'learningRate':
      return `lr ${shown}`
    case 'batchSize':
      return `batch ${shown}`
    case 'epochs':
      return `${shown} epoch${value === 1 ? '' : 's'}`
    case 'limit':
      return `${shown} images`
    case 'testLimit':
      return `${shown} test images`
    case 'optimizer':
    case 'lrSchedule':
      return shown
    case 'inputSize':
      return `${shown} px`
    case 'augment.cropPadding':
      return `crop padding ${shown} px`
    case 'warmupEpochs':
      return `warm-up ${shown} epoch${value === 1 ? '' : 's'}`
    case 'normalize':
      return value === 'none' ? 'not normalized' : `normalize ${shown}`
    default:
      return typeof value === 'boolean' ? `${bare(field)} ${value ? 'on' : 'off'}` : `${bare(field)} ${shown}`
  }
}
