import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { HISTOGRAM_BINS, MAX_INSPECT_FILTERS, MAX_MAP_SIDE, type GrayMap, type InspectedLayer, type Inspection } from '../../shared/api/inspect'
import { INPUT_FIELD, receptiveFieldStep, samePaddingBefore, type ReceptiveField } from '../../shared/arch/receptiveField'
import { fitToModelInput } from '../engine/model/modelStep'
import { gradCam } from './gradCam'
import { layerKinds } from './layerKinds'
import type { Predictor } from './predictor'
import { standardise, standardisationOf } from '../../shared/modelPixels'

export interface InspectOptions {
  maxChannels: number
  /** First channel of each convolution's maps (0 when absent). */
  firstChannel?: number
  occlusion: boolean
  /** Grad-CAM of the predicted class (on when absent). */
  gradCam?: boolean
}

const CONV_CLASSES = new Set(['Conv2D', 'InputConv2D'])
/** Layers whose activations get a histogram (flatten, dropout and padding only copy values). */
const SKIPPED_CLASSES = new Set(['InputLayer', 'Flatten', 'Dropout', 'ZeroPadding2D'])
/** At most 12 x 12 patch positions: one batched forward pass each, on the cpu backend. */
const MAX_OCCLUSION_SIDE = 12
const OCCLUSION_BATCH = 16

type Config = Record<string, unknown>
const first = (value: unknown, fallback: number): number => (Array.isArray(value) ? Number(value[0]) : value == null ? fallback : Number(value))

/**
 * What a trained run's network does with one image: every layer's activations (feature maps of the
 * convolutions, a histogram for every layer), the first convolution's filters, an occlusion map and a
 * Grad-CAM map of the predicted class, and each spatial layer's receptive field. Runs on the Predictor's cached model and
 * input preparation, on the pure-JS backend in this process; payloads are bounded (channels, map size).
 */
export class Inspector {
  constructor(private readonly predictor: Predictor) {}

  async inspect(runId: string, fileName: string, bytes: Uint8Array, options: InspectOptions): Promise<Inspection> {
    const { run, model, shape, preview, input } = await this.predictor.prepare(runId, fileName, bytes)
    const probed = model.layers.filter((layer) => !SKIPPED_CLASSES.has(layer.getClassName()) && layer !== model.layers[model.layers.length - 1])
    const probe = tfl.model({ inputs: model.inputs, outputs: [...probed.map((layer) => layer.output as tfl.SymbolicTensor), model.outputs[0]!] })

    const x = tf.tensor4d(input, [1, ...shape])
    const outputs = tf.tidy(() => {
      const result = probe.predict(fitToModelInput(model, x))
      return Array.isArray(result) ? result : [result]
    })
    const logits = outputs.pop()!
    // Asynchronous reads throughout: the webgpu backend cannot read synchronously in Node.
    const softmax = tf.tidy(() => tf.softmax(logits as tf.Tensor2D))
    logits.dispose()
    const probabilities = await softmax.data().finally(() => softmax.dispose())
    const ranked = Array.from(probabilities, (probability, classIndex) => ({ classIndex, label: run.classNames[classIndex] ?? String(classIndex), probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 5)

    const fields = receptiveFields(model)
    const kindOf = layerKinds(run, shape[2])
    const layers: InspectedLayer[] = []
    for (let i = 0; i < probed.length; i++) {
      const layer = probed[i]!
      const tensor = outputs[i]!
      const values = (await tensor.data()) as Float32Array
      const outputShape = tensor.shape.slice(1)
      tensor.dispose()
      const className = layer.getClassName()
      const entry: InspectedLayer = { name: layer.name, className, kind: kindOf(layer.name, className, outputShape), outputShape, maps: [], histogram: histogram(values) }
      if (outputShape.length === 3) {
        const field = fields.get(layer.name)
        if (field) entry.receptiveField = field
        if (CONV_CLASSES.has(entry.className)) entry.maps = featureMaps(values, outputShape as [number, number, number], options.maxChannels, options.firstChannel ?? 0)
      }
      layers.push(entry)
    }
    let cam: Inspection['gradCam'] = null
    if (options.gradCam ?? true) {
      const fitted = fitToModelInput(model, x) as tf.Tensor4D
      cam = await gradCam(model, fitted, ranked[0]!.classIndex)
      if (fitted !== x) fitted.dispose()
    }
    x.dispose()

    const occlusion = options.occlusion ? await occlusionMap(model, input, shape, ranked[0]!.classIndex, ranked[0]!.probability, run.data) : null
    return { preview, top: ranked, layers, filters: await firstFilters(model), occlusion, gradCam: cam }
  }
}

/** Each spatial layer's receptive field, from the layers' kernel, stride and padding (shared recurrence). */
export function receptiveFields(model: tfl.LayersModel): Map<string, ReceptiveField> {
  const fields = new Map<string, ReceptiveField>()
  const sizes = new Map<string, number>()
  for (const layer of model.layers) {
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? []
    const ins = inbound.map((l) => fields.get(l.name)).filter((f): f is ReceptiveField => !!f)
    // Where branches meet, the widest field (the notes' convention in layerMath).
    let field = ins.length ? ins.reduce((a, b) => (b.size > a.size ? b : a)) : INPUT_FIELD
    const n = sizes.get(inbound[0]?.name ?? '') ?? first(layer.batchInputShape?.[1], 0)
    const config = layer.getConfig() as Config
    const className = layer.getClassName()
    if (CONV_CLASSES.has(className) || /Pooling2D$/.test(className)) {
      if (/^Global/.test(className)) {
        field = receptiveFieldStep(field, n, 1, 0)
      } else {
        const k = first(CONV_CLASSES.has(className) ? config.kernelSize : config.poolSize, 1)
        const s = first(config.strides, /Pooling2D$/.test(className) ? k : 1)
        const pad = config.padding === 'same' ? samePaddingBefore(n, k, s) : 0
        field = receptiveFieldStep(field, k, s, pad)
      }
    } else if (className === 'ZeroPadding2D') {
      const padding = config.padding as number[][] | number
      const before = Array.isArray(padding) ? first(padding[0], 0) : padding
      field = { ...field, start: field.start - before * field.jump }
    }
    const out = layer.outputShape
    if (Array.isArray(out) && typeof out[1] === 'number') sizes.set(layer.name, out[1])
    if (Array.isArray(out) && out.length === 4) fields.set(layer.name, field)
  }
  return fields
}

function histogram(values: Float32Array): InspectedLayer['histogram'] {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  if (!Number.isFinite(min)) return { min: 0, max: 0, counts: new Array<number>(HISTOGRAM_BINS).fill(0) }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0)
  const width = max - min || 1
  for (const v of values) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor(((v - min) / width) * HISTOGRAM_BINS))]!++
  return { min, max, counts }
}

/** Channels of an HWC activation as 0-255 maps, each scaled by its own range, at most MAX_MAP_SIDE a side. */
export function featureMaps(values: Float32Array, [h, w, c]: [number, number, number], maxChannels: number, firstChannel = 0): (GrayMap & { channel: number })[] {
  const step = Math.max(1, Math.ceil(Math.max(h, w) / MAX_MAP_SIDE))
  const oh = Math.ceil(h / step)
  const ow = Math.ceil(w / step)
  const maps: (GrayMap & { channel: number })[] = []
  for (let channel = firstChannel; channel < Math.min(c, firstChannel + maxChannels); channel++) {
    const raw = new Float32Array(oh * ow)
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        // Mean over the step x step block (the whole map when it is small enough).
        let sum = 0
        let count = 0
        for (let dy = 0; dy < step && y * step + dy < h; dy++) {
          for (let dx = 0; dx < step && x * step + dx < w; dx++) {
            sum += values[((y * step + dy) * w + x * step + dx) * c + channel]!
            count++
          }
        }
        raw[y * ow + x] = sum / count
      }
    }
    maps.push({ channel, ...toGray(raw, ow, oh) })
  }
  return maps
}

function toGray(raw: Float32Array, width: number, height: number): GrayMap {
  let min = Infinity
  let max = -Infinity
  for (const v of raw) {
    if (v < min) min = v
    if (v > max) max = v
  }
  const range = max - min
  const pixels = Array.from(raw, (v) => (range > 0 ? Math.round(((v - min) / range) * 255) : 0))
  return { width, height, pixels, min, max }
}

/** The first convolution's kernels as small images, 128 = 0, symmetric around it per filter. */
async function firstFilters(model: tfl.LayersModel): Promise<Inspection['filters']> {
  const layer = model.layers.find((l) => CONV_CLASSES.has(l.getClassName()))
  if (!layer) return null
  const kernel = layer.getWeights()[0]
  if (!kernel || kernel.rank !== 4) return null
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number]
  const weights = await kernel.data()
  const channels = cin === 3 ? 3 : 1
  const images = []
  for (let f = 0; f < Math.min(cout, MAX_INSPECT_FILTERS); f++) {
    let maxAbs = 0
    for (let i = 0; i < kh * kw * cin; i++) maxAbs = Math.max(maxAbs, Math.abs(weights[i * cout + f]!))
    const pixels: number[] = []
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        for (let ch = 0; ch < channels; ch++) {
          // Grayscale for anything but RGB: the mean over input channels.
          let w = 0
          if (channels === 3) w = weights[((y * kw + x) * cin + ch) * cout + f]!
          else {
            for (let c = 0; c < cin; c++) w += weights[((y * kw + x) * cin + c) * cout + f]!
            w /= cin
          }
          pixels.push(Math.max(0, Math.min(255, Math.round(128 + (maxAbs > 0 ? (w / maxAbs) * 127 : 0)))))
        }
      }
    }
    images.push({ width: kw, height: kh, channels, pixels })
  }
  return { layer: layer.name, kernelSize: kh, total: cout, images }
}

/**
 * Slides a gray patch (mid-gray in pixel space, normalized like the input) over the image and records
 * how much the predicted class's probability drops at each position; batched forward passes.
 */
export async function occlusionMap(
  model: tfl.LayersModel,
  input: Float32Array,
  [h, w, c]: [number, number, number],
  classIndex: number,
  baseline: number,
  data?: { normalized?: boolean; mean?: number[]; std?: number[] },
): Promise<NonNullable<Inspection['occlusion']>> {
  const patch = Math.max(2, Math.round(Math.min(h, w) / 6))
  const stride = Math.max(1, Math.ceil((Math.max(h, w) - patch) / (MAX_OCCLUSION_SIDE - 1)))
  const rows = Math.floor((h - patch) / stride) + 1
  const cols = Math.floor((w - patch) / stride) + 1
  const gray = Array.from({ length: c }, (_, ch) => standardise(0.5, ch, standardisationOf(data)))
  const values: number[] = []
  const positions = rows * cols
  for (let startAt = 0; startAt < positions; startAt += OCCLUSION_BATCH) {
    const count = Math.min(OCCLUSION_BATCH, positions - startAt)
    const batch = new Float32Array(count * input.length)
    for (let b = 0; b < count; b++) {
      const offset = b * input.length
      batch.set(input, offset)
      const row = Math.floor((startAt + b) / cols)
      const col = (startAt + b) % cols
      for (let y = row * stride; y < row * stride + patch; y++) {
        for (let x = col * stride; x < col * stride + patch; x++) {
          for (let ch = 0; ch < c; ch++) batch[offset + (y * w + x) * c + ch] = gray[ch]!
        }
      }
    }
    const column = tf.tidy(() => {
      const logits = model.predict(fitToModelInput(model, tf.tensor4d(batch, [count, h, w, c]))) as tf.Tensor2D
      return tf.slice(tf.softmax(logits), [0, classIndex], [count, 1])
    })
    const probabilities = await column.data().finally(() => column.dispose())
    for (const p of probabilities) values.push(baseline - p)
  }
  return { width: cols, height: rows, patch, stride, classIndex, baseline, values }
}
