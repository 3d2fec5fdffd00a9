import { describe, expect, it } from 'vitest'
import { SweepRequest } from '../../../../shared/api/sweep'
import { expandSweep } from '../../../../shared/run/sweepRuns'

const config = { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.1 }

describe('grid sweeps', () => {
  it('makes one config per combination, everything else unchanged', () => {
    const sweep = SweepRequest.parse({ config, learningRates: [0.1, 0.01], batchSizes: [32, 64, 128] })
    const configs = expandSweep(sweep)
    expect(configs.map((c) => [c.learningRate, c.batchSize])).toEqual([
      [0.1, 32], [0.1, 64], [0.1, 128], [0.01, 32], [0.01, 64], [0.01, 128],
    ])
    expect(new Set(configs.map((c) => c.arch))).toEqual(new Set(['lenet-relu']))
  })

  it('keeps the config\u2019s own value for a field that is not swept', () => {
    expect(expandSweep(SweepRequest.parse({ config, learningRates: [1, 2] })).map((c) => c.batchSize)).toEqual([64, 64])
  })

  it('refuses absurd sweeps and bad values', () => {
    expect(SweepRequest.safeParse({ config, learningRates: Array.from({ length: 12 }, (_, i) => i + 1), batchSizes: [1, 2, 3, 4] }).success).toBe(false)
    expect(SweepRequest.safeParse({ config, learningRates: [-1] }).success).toBe(false)
    expect(SweepRequest.safeParse({ config, batchSizes: [] }).success).toBe(false)
  })
})
