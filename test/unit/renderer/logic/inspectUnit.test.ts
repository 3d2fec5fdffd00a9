import { describe, expect, it } from 'vitest'
import { centreUnit, unitAt, unitMark } from '../../../../renderer/src/logic/inspectUnit'

const conv1 = { name: 'conv1', outputShape: [24, 24, 6] }

describe('inspect units', () => {
  it('starts at the centre of a layer', () => {
    expect(centreUnit(conv1)).toEqual({ layer: 'conv1', row: 12, col: 12 })
    expect(centreUnit({ name: 'pool', outputShape: [5, 3, 16] })).toEqual({ layer: 'pool', row: 2, col: 1 })
  })

  it('scales a click on a downsampled map back to the layer, clamped to its edge', () => {
    const big = { name: 'conv', outputShape: [96, 96, 32] }
    // A 48-pixel map of a 96-unit layer: map pixel 10 covers units 20-21; its centre falls on unit 21.
    expect(unitAt(big, 3, 48, 48, 10, 0)).toEqual({ layer: 'conv', channel: 3, row: 21, col: 1 })
    expect(unitAt(big, 3, 48, 48, 47, 47)).toEqual({ layer: 'conv', channel: 3, row: 95, col: 95 })
    expect(unitAt(conv1, 0, 24, 24, 5, 7)).toEqual({ layer: 'conv1', channel: 0, row: 5, col: 7 })
  })

  it('outlines the clicked channel only, or every channel before a click', () => {
    const clicked = { layer: 'conv1', row: 6, col: 12, channel: 2 }
    expect(unitMark(clicked, conv1, 2)).toEqual({ top: 0.25, left: 0.5, height: 1 / 24, width: 1 / 24 })
    expect(unitMark(clicked, conv1, 1)).toBeNull()
    expect(unitMark(centreUnit(conv1), conv1, 5)).not.toBeNull()
    expect(unitMark(clicked, { name: 'conv2', outputShape: [8, 8, 16] }, 2)).toBeNull()
    expect(unitMark(null, conv1, 2)).toBeNull()
  })
})
