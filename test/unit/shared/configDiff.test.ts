import { describe, expect, it } from 'vitest'
import { diffConfigs, differingFields, flattenConfig } from '../../../shared/configDiff'

describe('config diff', () => {
  it('flattens nested fields and marks only those that differ', () => {
    expect(flattenConfig({ a: 1, knobs: { activation: 'relu' }, list: [1, 2] })).toEqual({ a: 1, 'knobs.activation': 'relu', list: '[1,2]' })
    const rows = diffConfigs([
      { lr: 0.1, batch: 64, knobs: { activation: 'relu' } },
      { lr: 0.1, batch: 128, knobs: { activation: 'relu' }, augment: { flip: true } },
    ])
    expect(rows.filter((row) => row.differs).map((row) => row.field)).toEqual(['batch', 'augment.flip'])
    expect(rows.find((row) => row.field === 'lr')).toEqual({ field: 'lr', values: [0.1, 0.1], differs: false })
  })

  it('lists only the differing fields', () => {
    expect(differingFields([{ knobs: { activation: 'sigmoid' }, lr: 0.1 }, { knobs: { activation: 'relu' }, lr: 0.1 }])).toEqual(['knobs.activation'])
    expect(differingFields([{ lr: 0.1 }, { lr: 0.1 }])).toEqual([])
  })
})
