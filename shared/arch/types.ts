import type { Activation, LayerSpec, PoolMode } from './layers'

export interface InputShape {
  height: number
  width: number
  channels: number
}

/** The design choices the notes discuss, each one a switch a learner can flip. */
export interface ArchKnobs {
  activation: Activation
  pooling: PoolMode
  batchNorm: boolean
  /** 0 leaves the dropout layers out. */
  dropout: number
  /** Local response normalisation after the first two convolutions (AlexNet's original paper). */
  lrn: boolean
  /** Off: the same blocks without their shortcut additions (a plain network of the same depth). */
  residual: boolean
  /** Inception's 1x1 reductions before its 3x3 and 5x5 convolutions (GoogLeNet); off: those convolutions see every input channel. */
  reductions: boolean
  /** Multiplies every hidden width (conv channels, hidden dense units); 1/4 is d2l's VGG "ratio 4". */
  width: number
}
export type KnobName = keyof ArchKnobs
export const KNOB_NAMES: readonly KnobName[] = ['activation', 'pooling', 'batchNorm', 'dropout', 'lrn', 'residual', 'reductions', 'width']

/** What a user may choose when building an architecture; anything left out takes the family's default. */
export interface ArchOptions {
  /** Side of the square input image the network sees (the trainer resizes data to it). */
  inputSize?: number
  channels?: number
  classes?: number
  knobs?: Partial<ArchKnobs>
}

export interface ResolvedArchOptions {
  inputSize: number
  channels: number
  classes: number
  knobs: ArchKnobs
}

export const LR_SCHEDULES = ['constant', 'step', 'cosine'] as const
export type LrSchedule = (typeof LR_SCHEDULES)[number]

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop'] as const
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number]

export interface TrainingDefaults {
  epochs: number
  batchSize: number
  learningRate: number
  optimizer: OptimizerName
  /** Constant unless the architecture's recipe says otherwise. */
  lrSchedule?: LrSchedule
}

/** A named starting point: the notes' (d2l's) setting, or a smaller one that trains in minutes on a CPU. */
export interface ArchPreset {
  id: 'notes' | 'cpu'
  label: string
  /** Input side used for 28x28 datasets. */
  inputSize: number
  knobs: Partial<ArchKnobs>
  training: TrainingDefaults
}
export const PRESET_IDS = ['notes', 'cpu'] as const
export type PresetId = (typeof PRESET_IDS)[number]

/** One architecture of the zoo: metadata, its knobs, and a function from options to layers. */
export interface ArchitectureFamily {
  name: string
  description: string
  /** The input size, channels and classes of the notes' PyTorch code (parity is checked there). */
  canonical: { inputSize: number; channels: number; classes: number }
  /** The knobs that make sense for this network, in display order. */
  knobs: readonly KnobName[]
  defaultKnobs: ArchKnobs
  presets: Record<PresetId, ArchPreset>
  /**
   * Kernel initialisation: Glorot (Xavier) uniform, as d2l uses for LeNet, or He (Kaiming) normal, which
   * keeps the signal alive through deep ReLU stacks (torchvision's choice for VGG and ResNet).
   */
  initializer: 'glorot' | 'he'
  build(options: ResolvedArchOptions): LayerSpec[]
}

/** Hidden width after the width multiplier; never below one unit. */
export function scaled(units: number, width: number): number {
  return Math.max(1, Math.round(units * width))
}
