/** Side of the input window a unit sees, the input step between neighbouring units, and the first unit's centre. */
export interface ReceptiveField {
  size: number
  jump: number
  start: number
}

/** The image itself: every pixel sees itself. */
export const INPUT_FIELD: ReceptiveField = { size: 1, jump: 1, start: 0 }

/**
 * One windowed layer (convolution or pooling, kernel k, stride s, padding before p) applied to a field:
 * the notes' recurrence (size grows by (k-1)·jump, jump multiplies by s, as in layerMath.analyzeModel),
 * plus where the first unit's window is centred in input pixels.
 */
export function receptiveFieldStep(field: ReceptiveField, kernel: number, stride: number, padBefore: number): ReceptiveField {
  return {
    size: field.size + (kernel - 1) * field.jump,
    jump: field.jump * stride,
    start: field.start + ((kernel - 1) / 2 - padBefore) * field.jump,
  }
}

/** The input window (top-left corner and side, in input pixels, possibly past the edge) of unit (row, col). */
export function unitWindow(field: ReceptiveField, row: number, col: number): { top: number; left: number; size: number } {
  const half = (field.size - 1) / 2
  return { top: field.start + row * field.jump - half, left: field.start + col * field.jump - half, size: field.size }
}

/** TensorFlow's 'same' padding: the padding before for input n, kernel k, stride s. */
export function samePaddingBefore(n: number, kernel: number, stride: number): number {
  const out = Math.ceil(n / stride)
  return Math.floor(Math.max((out - 1) * stride + kernel - n, 0) / 2)
}
