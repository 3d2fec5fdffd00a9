/**
 * The reference image at the network's own input size. The trainer resizes smaller data (28x28 digits
 * for a 96 px AlexNet) inside the model step with tf.image.resizeBilinear; an export takes the network's
 * input, so its reference image is resized here the same way and the preprocessing says so.
 */

/** What tf.image.resizeBilinear(x, [h, w]) computes with its defaults (no corner alignment, no half-pixel centres). */
export const RESIZE_METHOD = 'bilinear (tf.image.resizeBilinear: align_corners=False, half_pixel_centers=False; ONNX Resize linear, asymmetric)'

/** Bilinear resize of one channels-last image; source pixel = destination pixel x (in / out). */
export function resizeBilinear(input: ArrayLike<number>, [h, w, c]: readonly number[], [oh, ow]: readonly number[]): Float32Array {
  const out = new Float32Array(oh * ow * c)
  const scaleY = h / oh
  const scaleX = w / ow
  for (let y = 0; y < oh; y++) {
    const sy = y * scaleY
    const top = Math.floor(sy)
    const bottom = Math.min(h - 1, Math.ceil(sy))
    const dy = sy - top
    for (let x = 0; x < ow; x++) {
      const sx = x * scaleX
      const left = Math.floor(sx)
      const right = Math.min(w - 1, Math.ceil(sx))
      const dx = sx - left
      for (let ch = 0; ch < c; ch++) {
        const at = (yy: number, xx: number) => input[(yy * w + xx) * c + ch]
        const upper = at(top, left) + (at(top, right) - at(top, left)) * dx
        const lower = at(bottom, left) + (at(bottom, right) - at(bottom, left)) * dx
        out[(y * ow + x) * c + ch] = upper + (lower - upper) * dy
      }
    }
  }
  return out
}

/** Channels-last [h, w, c] to channels-first [c, h, w], one image. */
export function toChannelsFirst(input: ArrayLike<number>, [h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(h * w * c)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = input[(y * w + x) * c + ch]
  return out
}
