/**
 * Model fusion by averaging (the notes' Q&A 8): the mean of the members' predicted probabilities, class by
 * class. The arrays are one image's probabilities, or a batch's laid end to end; all must be as long.
 */
export function averageProbabilities(members: readonly ArrayLike<number>[]): number[] {
  if (!members.length) throw new Error('an ensemble needs at least one model')
  const length = members[0].length
  if (members.some((member) => member.length !== length)) throw new Error(`the models' probabilities differ in length (${members.map((member) => member.length).join(', ')}): they must predict the same classes`)
  const mean = new Array<number>(length).fill(0)
  for (const member of members) for (let i = 0; i < length; i++) mean[i] += member[i] / members.length
  return mean
}

/** The index of the largest value (the predicted class); the first one on ties. */
export function argMax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from
  for (let i = from + 1; i < to; i++) if (values[i] > values[best]) best = i
  return best - from
}
