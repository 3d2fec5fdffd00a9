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
  /** An object URL of the file, to show the image as dropped (revoked when the next drop replaces it). */
  url: string
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

/**
 * Whether several models agree, and when the true label is known whether on the right answer:
 * `agree-right`, `agree-wrong` (a shared mistake is no comfort), `agree` (label unknown) or `differ`;
 * null with fewer than two answers.
 */
export type Agreement = 'agree-right' | 'agree-wrong' | 'agree' | 'differ'
export function agreementOf(labels: readonly (string | undefined)[], truth: string | null): Agreement | null {
  if (labels.length < 2 || labels.some((label) => label === undefined)) return null
  if (new Set(labels).size > 1) return 'differ'
  if (truth === null) return 'agree'
  return labels[0] === truth ? 'agree-right' : 'agree-wrong'
}

/** The badge's words and tooltip for each agreement. */
export const AGREEMENT_TEXT: Record<Agreement, { word: string; title: string }> = {
  'agree-right': { word: 'agree ✓', title: 'Every model gives the same answer, and it is the true label' },
  'agree-wrong': { word: 'agree ✗', title: 'Every model gives the same answer, and it is wrong: they share the mistake' },
  agree: { word: 'agree', title: 'Every model gives the same answer (the true label is not known)' },
  differ: { word: 'differ', title: 'The models give different answers' },
}
