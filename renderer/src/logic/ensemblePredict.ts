/**
 * The "Ensemble (average)" entry of Predict: several selected models combined by averaging their class
 * probabilities (shared/ensemble.ts, as the ensemble lesson's evaluation), scored on the same labelled drops as each model.
 */
import type { Prediction, RunSummary } from '../../../shared/api/schemas'
import { averageProbabilities } from '../../../shared/ensemble'

/** Predict asks for at most this many classes (the contract's `topK` limit). */
export const MAX_TOP_K = 20

/** Why the selected models cannot be averaged, in words; null when they can. */
export function ensembleRefusal(runs: readonly Pick<RunSummary, 'classNames'>[]): string | null {
  if (runs.length < 2) return 'select two or more models to combine them'
  const classes = runs[0]!.classNames
  if (runs.some((run) => run.classNames.length !== classes.length || run.classNames.some((name, i) => name !== classes[i]))) {
    return 'the selected models predict different classes, so their probabilities cannot be averaged'
  }
  if (classes.length > MAX_TOP_K) return `the models have ${classes.length} classes; Predict reads at most ${MAX_TOP_K} probabilities per image`
  return null
}

/** How many classes to ask each model for: all of them (so they can be averaged), and at least `shown`. */
export function topKFor(run: Pick<RunSummary, 'classNames'>, shown: number): number {
  return Math.min(MAX_TOP_K, Math.max(shown, run.classNames.length))
}

/** A model's answer as a full probability vector over `classCount` classes (classes not returned count 0). */
export function probabilityVector(prediction: Pick<Prediction, 'top'>, classCount: number): number[] {
  const vector = new Array<number>(classCount).fill(0)
  for (const entry of prediction.top) if (entry.classIndex >= 0 && entry.classIndex < classCount) vector[entry.classIndex] = entry.probability
  return vector
}

/**
 * The ensemble's ranking for one image, best first, once every model has answered it; null while one has
 * not (or failed), so a half-answered image is never scored as the ensemble's.
 */
export function ensembleTop(predictions: readonly (Pick<Prediction, 'top'> | undefined)[], classNames: readonly string[]): Prediction['top'] | null {
  if (predictions.length === 0 || predictions.some((prediction) => !prediction)) return null
  const average = averageProbabilities(predictions.map((prediction) => probabilityVector(prediction!, classNames.length)))
  return average
    .map((probability, classIndex) => ({ classIndex, label: classNames[classIndex]!, probability }))
    .sort((a, b) => b.probability - a.probability || a.classIndex - b.classIndex)
}

/** The ensemble's ranking for one image from its per-run answers (Predict's cells), in the runs' order. */
export function ensembleOfCells(
  cells: Readonly<Record<string, { prediction?: Pick<Prediction, 'top'> } | undefined>>,
  runs: readonly Pick<RunSummary, 'runId' | 'classNames'>[],
): Prediction['top'] | null {
  if (runs.length === 0) return null
  return ensembleTop(runs.map((run) => cells[run.runId]?.prediction), runs[0]!.classNames)
}
