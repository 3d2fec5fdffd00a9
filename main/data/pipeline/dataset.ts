/** A labelled split held in memory, NHWC order: float pixels in [0, 1] or bytes 0-255 (a quarter the memory). */
export interface DataSplit {
  count: number
  images: Float32Array | Uint8Array
  labels: Uint8Array
}

export interface Dataset {
  id: string
  classNames: string[]
  imageShape: { height: number; width: number; channels: number }
  train: DataSplit
  test: DataSplit
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DatasetError'
  }
}

export function takeFirst(split: DataSplit, limit: number | undefined, pixelsPerImage: number): DataSplit {
  if (limit === undefined || limit >= split.count) return split
  return {
    count: limit,
    images: split.images.subarray(0, limit * pixelsPerImage),
    labels: split.labels.subarray(0, limit),
  }
}

/** Holds out the last `fraction` of a split for validation (the split is already in a fixed order). */
export function splitValidation(split: DataSplit, fraction: number, pixelsPerImage: number): { train: DataSplit; validation?: DataSplit } {
  const held = Math.floor(split.count * fraction)
  if (held <= 0) return { train: split }
  const kept = split.count - held
  return {
    train: { count: kept, images: split.images.subarray(0, kept * pixelsPerImage), labels: split.labels.subarray(0, kept) },
    validation: { count: held, images: split.images.subarray(kept * pixelsPerImage), labels: split.labels.subarray(kept) },
  }
}
