/**
 * Model fusion as the notes' Q&A 8 describes it: several networks vote by averaging their class
 * probabilities, and the ensemble's answer is the class with the highest average. Pure, so Predict (in the
 * renderer) and the ensemble lesson's evaluation (in a worker) average the same way.
 */

/** The element-wise mean of several probability vectors over the same classes, in the same order. */
export function averageProbabilities(distributions: readonly (readonly number[])[]): number[] {
  const first = distributions[0]
  if (!first) throw new Error('an ensemble needs at least one model')
  for (const [index, distribution] of distributions.entries()) {
    if (distribution.length !== first.length) {
      throw new Error(`model ${index + 1} gives ${distribution.length} class probabilities, model 1 gives ${first.length}: an ensemble needs the same classes`)
    }
  }
  return first.map((_, classIndex) => distributions.reduce((sum, distribution) => sum + distribution[classIndex]!, 0) / distributions.length)
}

/** The index of the largest value (the first on a tie), or -1 for an empty vector. */
export function argMax(values: readonly number[]): number {
  let best = -1
  for (let i = 0; i < values.length; i++) if (best < 0 || values[i]! > values[best]!) best = i
  return best
}
