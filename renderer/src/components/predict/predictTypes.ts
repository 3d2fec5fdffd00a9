import type { Prediction } from '../../../../shared/api/schemas'

/** One model's answer for one image: the prediction, or why there is none. */
export interface PredictCell {
  prediction?: Prediction
  error?: string
}

/** A dropped image, its true label (if known) and each selected model's answer. */
export interface PredictImage {
  key: string
  fileName: string
  /** Where it sat in a dropped or chosen folder (`digits/7/a.png`); the name for loose files. */
  path: string
  file: File
  /** The true class: from its folder or name, or picked on its tile; null when unknown. */
  truth: string | null
  /** Per run id; filled in as the calls come back. */
  cells: Record<string, PredictCell>
}

/** A short tag per selected model (A, B, ...), shown on tiles where a full run label does not fit. */
export function modelTag(index: number): string {
  return String.fromCharCode(65 + (index % 26))
}

/** The ensemble's tag beside the models' A, B, ...: Σ for the average of them all. */
export const ENSEMBLE_TAG = 'Σ'

/** How a screen reader names the model's input as drawn on a tile or in the detail. */
export function inputLabel(preview: { width: number; height: number }): string {
  return `Model input, ${preview.width}×${preview.height} pixels`
}
