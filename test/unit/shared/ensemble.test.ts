import { describe, expect, it } from 'vitest'
import { argMax, averageProbabilities } from '../../../shared/ensemble'

describe('averageProbabilities', () => {
  it('averages class by class, so two confident models outvote a third', () => {
    const mean = averageProbabilities([
      [0.7, 0.2, 0.1],
      [0.6, 0.3, 0.1],
      [0.1, 0.1, 0.8],
    ])
    expect(mean.map((value) => Number(value.toFixed(6)))).toEqual([0.466667, 0.2, 0.333333])
    expect(argMax(mean)).toBe(0)
  })

  it('works on a batch laid end to end, and argMax reads one image of it', () => {
    const batch = averageProbabilities([new Float32Array([0.9, 0.1, 0.2, 0.8]), new Float32Array([0.5, 0.5, 0.6, 0.4])])
    expect(batch.map((value) => Number(value.toFixed(6)))).toEqual([0.7, 0.3, 0.4, 0.6])
    expect([argMax(batch, 0, 2), argMax(batch, 2, 4)]).toEqual([0, 1])
  })

  it('refuses no models and models of other class counts with a plain message', () => {
    expect(() => averageProbabilities([])).toThrow('an ensemble needs at least one model')
    expect(() => averageProbabilities([[0.5, 0.5], [1, 0, 0]])).toThrow('differ in length (2, 3)')
  })
})
