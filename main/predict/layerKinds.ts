import type { RunSummary } from '../../shared/api/schemas'
import { describeOp } from '../../shared/arch/describe'
import { toGraph } from '../../shared/arch/graph'
import { getArchitecture, type ArchitectureId } from '../../shared/arch/specs'

/** Readable kinds for tfjs classes the spec does not name (an imported model, the input layer). */
const CLASS_KINDS: Record<string, string> = {
  Conv2D: 'conv',
  InputConv2D: 'conv',
  MaxPooling2D: 'max pool',
  AveragePooling2D: 'avg pool',
  GlobalAveragePooling2D: 'global avg pool',
  BatchNormalization: 'batch norm',
  Activation: 'activation',
  ReLU: 'ReLU',
  LeakyReLU: 'leaky ReLU',
  Dense: 'dense',
  Flatten: 'flatten',
  Dropout: 'dropout',
  Concatenate: 'concat (channels)',
  Add: 'add shortcut',
}

/**
 * What each layer of a run's model does, in the words the Models view uses (`conv 5x5 /1 p2 → 6`),
 * keyed by layer name: the model factory names its layers after the spec's graph, so the spec says it.
 * Internal class names (InputConv2D, our own fast first convolution) never reach the user.
 */
export function layerKinds(run: Pick<RunSummary, 'config' | 'classNames'>, channels: number): (name: string, className: string, outputShape: number[]) => string {
  const byName = new Map<string, { text: string; width?: number }>()
  try {
    const spec = getArchitecture(run.config.arch as ArchitectureId, {
      inputSize: run.config.inputSize,
      channels,
      classes: run.classNames.length,
      knobs: run.config.knobs,
    })
    for (const node of toGraph(spec.layers)) {
      const width = node.op.kind === 'conv2d' ? node.op.filters : node.op.kind === 'dense' ? node.op.units : undefined
      byName.set(node.name, { text: describeOp(node.op), width })
    }
  } catch {
    // An architecture this build does not know (an imported model): the class names below still read.
  }
  return (name, className, outputShape) => {
    const fromSpec = byName.get(name)
    // A model that does not match its run's spec (imported, or hand-built in a test) is described by its classes.
    if (fromSpec && (fromSpec.width === undefined || fromSpec.width === outputShape.at(-1))) return fromSpec.text
    return CLASS_KINDS[className] ?? className.replace(/2D$/, '').toLowerCase()
  }
}
