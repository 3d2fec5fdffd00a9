import { diagramStages, type DiagramStage } from '../../../shared/arch/diagram'
import { analyzeModel, type ModelInfo } from '../../../shared/arch/layerMath'
import {
  ARCHITECTURE_FAMILIES,
  getArchitecture,
  type ArchitectureId,
  type ArchitectureSpec,
  type ArchKnobs,
  type PresetId,
} from '../../../shared/arch/specs'

/** Everything the Models view lets a learner choose. */
export interface InspectorChoice {
  arch: ArchitectureId
  inputSize: number
  channels: number
  classes: number
  knobs: ArchKnobs
}

export interface InspectorResult {
  spec: ArchitectureSpec
  info: ModelInfo
  stages: DiagramStage[]
}

/** The architecture's own starting point: the notes' input size and knobs, or a preset's. */
export function initialChoice(arch: ArchitectureId, preset: PresetId = 'notes'): InspectorChoice {
  const family = ARCHITECTURE_FAMILIES[arch]
  const chosen = family.presets[preset]
  return {
    arch,
    inputSize: chosen.inputSize,
    channels: 1,
    classes: 10,
    knobs: { ...family.defaultKnobs, ...chosen.knobs },
  }
}

/** Builds and analyses the chosen network; pure and fast enough to run on every change. */
export function inspect(choice: InspectorChoice): InspectorResult {
  const spec = getArchitecture(choice.arch, {
    inputSize: choice.inputSize,
    channels: choice.channels,
    classes: choice.classes,
    knobs: choice.knobs,
  })
  return { spec, info: analyzeModel(spec, spec.input), stages: diagramStages(spec.layers) }
}

/** Width multipliers offered in the view, with the way the notes write them. */
export const WIDTH_CHOICES: readonly { value: number; label: string }[] = [
  { value: 2, label: '2\u00d7' },
  { value: 1, label: '1 (notes)' },
  { value: 0.5, label: '\u00bd' },
  { value: 0.25, label: '\u00bc' },
  { value: 0.125, label: '\u215b' },
  { value: 0.0625, label: '1/16' },
]
