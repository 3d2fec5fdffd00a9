import { describe, expect, it } from 'vitest'
import { TrainConfig, type RunSummary } from '../../../../shared/api/schemas'
import { FINAL_METRICS, isBestRun, perClassTable } from '../../../../renderer/src/logic/compareTables'
import { configValueText as formatConfigValue } from '../../../../shared/run/configLabels'

function run(runId: string, result?: Partial<NonNullable<RunSummary['result']>>, classNames = ['cat', 'dog']): RunSummary {
  return {
    runId,
    config: TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1 }),
    status: 'completed',
    createdAt: '2024-01-01T00:00:00.000Z',
    classNames,
    ...(result
      ? { result: { testAccuracy: 0.5, testLoss: 1, trainAccuracy: 0.5, trainLoss: 1, trainSeconds: 10, samplesPerSecond: 100, params: 1000, ...result } as NonNullable<RunSummary['result']> }
      : {}),
  }
}

const metric = (label: string) => FINAL_METRICS.find((m) => m.label === label)!

describe('final metrics', () => {
  it('marks the highest test accuracy and the lowest test loss and time as best', () => {
    const a = run('a', { testAccuracy: 0.9, testLoss: 0.4, trainSeconds: 30 })
    const b = run('b', { testAccuracy: 0.8, testLoss: 0.3, trainSeconds: 20 })
    const runs = [a, b]
    expect(isBestRun(metric('Test accuracy'), a, runs)).toBe(true)
    expect(isBestRun(metric('Test accuracy'), b, runs)).toBe(false)
    expect(isBestRun(metric('Test loss'), b, runs)).toBe(true)
    expect(isBestRun(metric('Training time'), a, runs)).toBe(false)
    expect(isBestRun(metric('Training time'), b, runs)).toBe(true)
  })
  it('names no best when fewer than two runs have the value, or the metric is not comparable', () => {
    const a = run('a', { testAccuracy: 0.9 })
    const b = run('b')
    expect(isBestRun(metric('Test accuracy'), a, [a, b])).toBe(false)
    expect(isBestRun(metric('Test accuracy'), a, [a])).toBe(false)
    const c = run('c', { testAccuracy: 0.1 })
    expect(isBestRun(metric('Parameters'), a, [a, c])).toBe(false)
  })
  it('shows a dash for a run without a result', () => {
    expect(metric('Test accuracy').value(run('x'))).toBe('—')
    expect(metric('Backend').value(run('x'))).toBe('—')
  })
})

describe('per-class table', () => {
  it('lines up each class across the runs that have per-class accuracy', () => {
    const a = run('a', { perClassAccuracy: [0.9, 0.7] })
    const b = run('b')
    const c = run('c', { perClassAccuracy: [0.5, 0.6, 0.4] }, ['x', 'y', 'z'])
    const table = perClassTable([a, b, c])
    expect(table.runs.map((r) => r.runId)).toEqual(['a', 'c'])
    expect(table.rows).toEqual([
      { name: 'cat', values: [0.9, 0.5] },
      { name: 'dog', values: [0.7, 0.6] },
      { name: '2', values: [undefined, 0.4] },
    ])
  })
  it('is empty when no run has per-class accuracy', () => {
    expect(perClassTable([run('a'), run('b')])).toEqual({ runs: [], rows: [] })
  })
})

describe('config values', () => {
  it('shows missing fields as a dash and null as null', () => {
    expect(formatConfigValue(undefined)).toBe('—')
    expect(formatConfigValue(null)).toBe('null')
    expect(formatConfigValue(0.01)).toBe('0.01')
    expect(formatConfigValue(false)).toBe('off')
  })
})
