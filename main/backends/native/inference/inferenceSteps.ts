import { FUSED_ACTIVATION_CODES } from '../nativeKernels'

/**
 * The small steps of a compiled inference plan that have no native kernel: they move little data next to
 * the convolutions around them (a global mean, GoogLeNet's channel concatenation, an activation that
 * follows something other than a convolution or product).
 */

type Shape = [number, number, number]

const { relu, sigmoid, tanh, leakyRelu } = FUSED_ACTIVATION_CODES

/** to[i] = activation(from[i]) for i < count, with the activations the native kernels fuse (same codes). */
export function applyActivation(from: Float32Array, to: Float32Array, count: number, code: number): void {
  switch (code) {
    case relu:
      for (let i = 0; i < count; i++) to[i] = from[i] > 0 ? from[i] : 0
      return
    case sigmoid:
      for (let i = 0; i < count; i++) to[i] = 1 / (1 + Math.exp(-from[i]))
      return
    case tanh:
      for (let i = 0; i < count; i++) to[i] = Math.tanh(from[i])
      return
    case leakyRelu:
      for (let i = 0; i < count; i++) to[i] = from[i] > 0 ? from[i] : 0.01 * from[i]
      return
    default:
      if (from !== to) to.set(from.subarray(0, count))
  }
}

/** The mean over each image's pixels, per channel (global average pooling). */
export function averageSpatial(from: Float32Array, to: Float32Array, batch: number, [height, width, channels]: Shape): void {
  const pixels = height * width
  to.fill(0, 0, batch * channels)
  for (let n = 0; n < batch; n++) {
    const out = n * channels
    for (let p = 0; p < pixels; p++) {
      const at = (n * pixels + p) * channels
      for (let c = 0; c < channels; c++) to[out + c] += from[at + c]
    }
    for (let c = 0; c < channels; c++) to[out + c] /= pixels
  }
}

/** NHWC parts side by side along channels, `pixels` = batch x height x width. */
export function concatChannels(parts: { data: Float32Array; channels: number }[], to: Float32Array, pixels: number): void {
  const total = parts.reduce((sum, part) => sum + part.channels, 0)
  let offset = 0
  for (const { data, channels } of parts) {
    for (let p = 0; p < pixels; p++) to.set(data.subarray(p * channels, (p + 1) * channels), p * total + offset)
    offset += channels
  }
}

/** Zero padding of both spatial axes: `from` [batch, inShape] into `to` [batch, outShape] at (top, left). */
export function padSpatialInto(from: Float32Array, to: Float32Array, batch: number, [inH, inW, channels]: Shape, top: number, left: number, [outH, outW]: Shape): void {
  to.fill(0, 0, batch * outH * outW * channels)
  const row = inW * channels
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < inH; h++) {
      const source = (n * inH + h) * row
      to.set(from.subarray(source, source + row), ((n * outH + h + top) * outW + left) * channels)
    }
  }
}
