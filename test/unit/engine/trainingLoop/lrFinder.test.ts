import { describe, expect, it } from 'vitest'
import { steepestDescent } from '../../../../main/engine/trainingLoop/lrFinder'

/** A range test's curve: rates 10^(-5 + 6 i / (n-1)), losses as given. */
const curve = (losses: number[]) => losses.map((loss, i) => ({ learningRate: 10 ** (-5 + (6 * i) / (losses.length - 1)), loss }))

describe('the suggested learning rate', () => {
  it('is where the loss falls fastest before its lowest point', () => {
    const points = curve([2.3, 2.3, 2.2, 1.6, 1.2, 1.0, 1.5, 2.2])
    expect(steepestDescent(points)).toBe(points[3]!.learningRate)
  })
  it('ignores a fall after the low point (a spike recovering), however steep', () => {
    const points = curve([2.3, 2.25, 2.0, 1.8, 1.0, 2.4, 0.6 + 1.9, 2.4, 1.2, 2.6])
    const lowest = points.findIndex((p) => p.loss === 1.0)
    const suggested = steepestDescent(points)!
    expect(suggested).toBeLessThanOrEqual(points[lowest]!.learningRate)
    expect(suggested).toBe(points[lowest]!.learningRate)
  })
  it('stops at a loss that blew up, and suggests nothing for a curve that never falls', () => {
    expect(steepestDescent(curve([2.3, 2.0, Number.POSITIVE_INFINITY, 0.1]))).toBe(curve([2.3, 2.0, 1, 1])[1]!.learningRate)
    expect(steepestDescent(curve([2.3, 2.4, 2.5]))).toBeUndefined()
  })
})
