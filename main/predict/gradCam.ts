import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import type { Inspection } from '../../shared/api/inspect'

type GradCam = NonNullable<Inspection['gradCam']>

/** A new, unbuilt layer of the same class and config (through the registry, so custom layers too). */
function copyOf(layer: tfl.layers.Layer): tfl.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]
  if (!entry) throw new Error(`layer class ${layer.getClassName()} is not registered`)
  const [cls, fromConfig] = entry
  return fromConfig(cls, layer.getConfig()) as unknown as tfl.layers.Layer
}

/**
 * The network from `target`'s output to the model's output, as a model of its own: copies of the layers
 * after `target`, with their weights (applying the model's own layers to a new input would add nodes to
 * them, and their `output` would no longer be defined). Null when something after `target` also reads a
 * tensor from before it (a skip connection around it): the class score is then not a function of
 * `target` alone.
 */
export function tailModel(model: tfl.LayersModel, target: tfl.layers.Layer): tfl.LayersModel | null {
  const start = model.layers.indexOf(target)
  if (start < 0) return null
  const source = target.output as tfl.SymbolicTensor
  const input = tfl.input({ shape: source.shape.slice(1) as number[] })
  const mapped = new Map<number, tfl.SymbolicTensor>([[source.id, input]])
  const copies: [tfl.layers.Layer, tfl.layers.Layer][] = []
  for (const layer of model.layers.slice(start + 1)) {
    const inbound = layer.inboundNodes[0]?.inputTensors ?? []
    const inputs = inbound.map((t) => mapped.get(t.id))
    const known = inputs.filter((t): t is tfl.SymbolicTensor => t !== undefined)
    if (known.length === 0) continue // a branch that does not descend from target
    if (known.length !== inputs.length) return null
    const copy = copyOf(layer)
    mapped.set((layer.output as tfl.SymbolicTensor).id, copy.apply(known.length === 1 ? known[0]! : known) as tfl.SymbolicTensor)
    copies.push([layer, copy])
  }
  const output = mapped.get((model.outputs[0] as tfl.SymbolicTensor).id)
  if (!output) return null
  for (const [layer, copy] of copies) copy.setWeights(layer.getWeights())
  return tfl.model({ inputs: input, outputs: output })
}

/**
 * Grad-CAM (Selvaraju et al., 2017) of one class: the last spatial layer (at least 2x2) whose output the
 * class score depends on alone; its channels weighted by the spatial mean of the score's gradient,
 * summed, and clipped at zero. `values[row * width + col]` at that layer's resolution; null for a
 * network without such a layer.
 */
export async function gradCam(model: tfl.LayersModel, x: tf.Tensor4D, classIndex: number): Promise<GradCam | null> {
  const split = splitAtLastSpatialLayer(model)
  if (!split) return null
  const { layer, head, tail } = split
  const [, height, width] = (layer.output as tfl.SymbolicTensor).shape as number[]
  const map = tf.tidy(() => {
    const activations = head.predict(x) as tf.Tensor4D
    const score = (a: tf.Tensor) => tf.sum(tf.slice(tail.predict(a) as tf.Tensor2D, [0, classIndex], [1, 1]))
    const gradient = tf.grad(score)(activations)
    const weights = tf.mean(gradient, [1, 2], true)
    return tf.relu(tf.sum(tf.mul(activations, weights), 3))
  })
  // Asynchronous: the webgpu backend cannot read synchronously in Node.
  const values = await map.data().finally(() => map.dispose())
  return { layer: layer.name, width: width!, height: height!, classIndex, values: Array.from(values) }
}

interface Split {
  layer: tfl.layers.Layer
  head: tfl.LayersModel
  tail: tfl.LayersModel
}

/** Layers that only copy their input (a padded border would show as part of the map). */
const NOT_TARGETS = new Set(['InputLayer', 'ZeroPadding2D', 'Dropout'])

// Per model, once: the tail holds copies of weights.
const splits = new WeakMap<tfl.LayersModel, Split | null>()

function splitAtLastSpatialLayer(model: tfl.LayersModel): Split | null {
  if (splits.has(model)) return splits.get(model)!
  let found: Split | null = null
  for (const layer of [...model.layers].reverse()) {
    const shape = (layer.output as tfl.SymbolicTensor).shape
    if (shape.length !== 4 || (shape[1] ?? 0) < 2 || (shape[2] ?? 0) < 2 || NOT_TARGETS.has(layer.getClassName())) continue
    const tail = tailModel(model, layer)
    if (!tail) continue
    found = { layer, head: tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor }), tail }
    break
  }
  splits.set(model, found)
  return found
}
