/**
 * The model zoo: every architecture of the course notes as data. The layer lists transcribe the notes'
 * PyTorch code layer for layer (shared/arch/families/), so parameter counts match it exactly; knobs and
 * options (input size, channels, classes) rebuild them for experiments.
 */
import { alexnet } from './families/alexnet'
import { googlenet } from './families/googlenet'
import { bnLenet, lenet5, lenetRelu } from './families/lenet'
import { resnet18, resnet34, resnet50 } from './families/resnet'
import { vgg11, vgg13, vgg16, vgg19 } from './families/vgg'
import type { LayerSpec } from './vocabulary/layers'
import type { ArchitectureFamily, ArchKnobs, ArchOptions, ArchPreset, InputShape, KnobName, PresetId } from './vocabulary/types'

export type { Activation, LayerSpec, PoolMode } from './vocabulary/layers'
export type { ArchKnobs, ArchOptions, ArchPreset, InputShape, KnobName, LrSchedule, PresetId, TrainingDefaults } from './vocabulary/types'
export { ACTIVATIONS, POOL_MODES } from './vocabulary/layers'
export { KNOB_NAMES, LR_SCHEDULES, OPTIMIZER_NAMES, PRESET_IDS, type OptimizerName } from './vocabulary/types'

export interface ArchitectureSpec {
  id: ArchitectureId
  name: string
  description: string
  input: InputShape
  classes: number
  layers: LayerSpec[]
  /** The knobs this spec was built with, and those that make sense for the architecture. */
  knobs: ArchKnobs
  availableKnobs: readonly KnobName[]
  presets: Record<PresetId, ArchPreset>
  initializer: 'glorot' | 'he'
}

export const ARCHITECTURE_IDS = [
  'lenet5',
  'lenet-relu',
  'bn-lenet',
  'alexnet',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'googlenet',
  'resnet18',
  'resnet34',
  'resnet50',
] as const
export type ArchitectureId = (typeof ARCHITECTURE_IDS)[number]

export const ARCHITECTURE_FAMILIES: Record<ArchitectureId, ArchitectureFamily> = {
  lenet5,
  'lenet-relu': lenetRelu,
  'bn-lenet': bnLenet,
  alexnet,
  vgg11,
  vgg13,
  vgg16,
  vgg19,
  googlenet,
  resnet18,
  resnet34,
  resnet50,
}

/**
 * An architecture built with the given options. Without options: the notes' network at the input
 * size used to train it on 28x28 data (LeNet 28, AlexNet/VGG 224, GoogLeNet/ResNet 96), one channel,
 * 10 classes. Knobs the architecture does not offer are ignored.
 */
export function getArchitecture(id: ArchitectureId, options: ArchOptions = {}): ArchitectureSpec {
  const family = ARCHITECTURE_FAMILIES[id]
  const knobs = { ...family.defaultKnobs }
  for (const name of family.knobs) {
    const value = options.knobs?.[name]
    if (value !== undefined) (knobs as Record<KnobName, unknown>)[name] = value
  }
  const inputSize = options.inputSize ?? family.presets.notes.inputSize
  const channels = options.channels ?? 1
  const classes = options.classes ?? 10
  return {
    id,
    name: family.name,
    description: family.description,
    input: { height: inputSize, width: inputSize, channels },
    classes,
    layers: family.build({ inputSize, channels, classes, knobs }),
    knobs,
    availableKnobs: family.knobs,
    presets: family.presets,
    initializer: family.initializer,
  }
}

/** The architecture exactly as the notes' PyTorch code builds it (its input size, channels, classes). */
export function getCanonicalArchitecture(id: ArchitectureId): ArchitectureSpec {
  return getArchitecture(id, ARCHITECTURE_FAMILIES[id].canonical)
}
