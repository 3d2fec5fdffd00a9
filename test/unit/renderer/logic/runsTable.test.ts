import { beforeEach, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../../../shared/api/schemas'
import { TrainConfig } from '../../../../shared/api/schemas'
import { DEFAULT_RUNS_QUERY, canDelete, datasetLabel, hyperTitle, queryRuns } from '../../../../renderer/src/logic/runsTable'
import { curve, parseTags, pointTimes } from '../../../../renderer/src/logic/compare'
import { RUN_PALETTE, assignRunColors, pinRunColor, resetRunColorsForTests, runColor } from '../../../../renderer/src/logic/palette'

function run(runId: string, overrides: Partial<RunSummary> = {}, config: Record<string, unknown> = {}): RunSummary {
  return {
    runId,
    status: 'completed',
    createdAt: `2026-01-0${runId.length}T00:00:00Z`,
    classNames: [],
    config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.1, ...config }),
    ...overrides,
  }
}

describe('runs table', () => {
  const runs = [
    run('a', { name: 'Baseline', tags: ['keep'], result: { testAccuracy: 0.9, trainSeconds: 10 } as RunSummary['result'] }),
    run('bb', { status: 'failed' }, { arch: 'lenet5', dataset: 'fashion-mnist' }),
    run('ccc', { result: { testAccuracy: 0.95, trainSeconds: 5 } as RunSummary['result'], bestValidationAccuracy: 0.93 }, { learningRate: 0.5 }),
  ]
  it('searches names, ids and tags', () => {
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, search: 'keep' }).map((r) => r.runId)).toEqual(['a'])
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, search: 'BASE' }).map((r) => r.runId)).toEqual(['a'])
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, search: 'fashion lenet5' }).map((r) => r.runId)).toEqual(['bb'])
  })
  it('filters by status, architecture and data set', () => {
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, status: 'failed' }).map((r) => r.runId)).toEqual(['bb'])
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, arch: 'lenet-relu', dataset: 'mnist' }).map((r) => r.runId).sort()).toEqual(['a', 'ccc'])
  })
  it('sorts by any column, runs without a value last', () => {
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, sort: 'testAccuracy', descending: true }).map((r) => r.runId)).toEqual(['ccc', 'a', 'bb'])
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, sort: 'testAccuracy', descending: false }).map((r) => r.runId)).toEqual(['a', 'ccc', 'bb'])
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, sort: 'learningRate', descending: true })[0]!.runId).toBe('ccc')
    expect(queryRuns(runs, { ...DEFAULT_RUNS_QUERY, sort: 'createdAt', descending: false }).map((r) => r.runId)).toEqual(['a', 'bb', 'ccc'])
  })
  it('names folder data sets by their last folder', () => {
    expect(datasetLabel('folder:/home/me/cats')).toBe('cats (folder)')
    expect(datasetLabel('mnist')).toBe('mnist')
  })
  it('parses tags', () => {
    expect(parseTags(' a, b ,, a ,c ')).toEqual(['a', 'b', 'c'])
  })
})

describe('compare curves', () => {
  it('keeps each bucket\u2019s minimum and maximum when thinning', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ samples: i, epoch: i / 1000, loss: i === 4321 ? -5 : i === 777 ? 99 : Math.sin(i), accuracy: 0.5 }))
    const thin = curve(points, [], 'loss', 'samples', 200)
    expect(thin.length).toBeLessThanOrEqual(200)
    expect(thin.length).toBeGreaterThan(100)
    expect(thin.some((p) => p.y === -5)).toBe(true)
    expect(thin.some((p) => p.y === 99)).toBe(true)
    for (let i = 1; i < thin.length; i++) expect(thin[i]!.x).toBeGreaterThanOrEqual(thin[i - 1]!.x)
  })
  it('uses recorded wall time, else interpolates it from epoch durations', () => {
    const epochs = [1, 2].map((epoch) => ({ epoch, seconds: 10, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5 }))
    const points = [{ samples: 50, epoch: 0.5, loss: 1, accuracy: 0.5 }, { samples: 150, epoch: 1.5, loss: 1, accuracy: 0.5 }, { samples: 160, epoch: 1.6, loss: 1, accuracy: 0.5, t: 17 }]
    expect(pointTimes(points, epochs)).toEqual([5, 15, 17])
    expect(curve(points, epochs, 'loss', 'samples').map((p) => p.x)).toEqual([50, 150, 160])
  })
  it('continues wall time across a resume recorded with its clock restarted at 0 (the curve never draws backwards)', () => {
    const point = (samples: number, t: number) => ({ samples, epoch: samples / 100, loss: 1, accuracy: 0.5, t })
    const points = [point(50, 5), point(100, 10), point(150, 1), point(200, 6)]
    expect(pointTimes(points, [])).toEqual([5, 10, 10, 15])
    const xs = curve(points, [], 'loss', 'time').map((p) => p.x)
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!)
  })
})

describe('run colours', () => {
  beforeEach(() => resetRunColorsForTests())
  it('gives runs started together distinct colours, and keeps each run\u2019s colour', () => {
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']
    assignRunColors(ids)
    const colors = ids.map(runColor)
    expect(new Set(colors).size).toBe(6)
    expect(runColor('r3')).toBe(colors[2])
    expect(RUN_PALETTE).toContain(colors[0])
  })
  it('draws a run in the colour the service gave it, whatever was assigned locally before', () => {
    assignRunColors(['x1', 'x2'])
    pinRunColor('x1', 13)
    expect(runColor('x1')).toBe(RUN_PALETTE[3])
    pinRunColor('x2', undefined)
    expect(runColor('x2')).toBe(RUN_PALETTE[1])
  })
  it('every run colour reads on white: at least 3:1 contrast (no yellow, no pink)', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    for (const color of RUN_PALETTE) expect(1.05 / (luminance(color) + 0.05), color).toBeGreaterThanOrEqual(3)
    expect(new Set(RUN_PALETTE).size).toBe(RUN_PALETTE.length)
  })
})

describe('modelChoiceLabel', () => {
  it('names a model by its run name (the default one: architecture, data set, changed settings), then data set, accuracy and date', async () => {
    const { modelChoiceLabel } = await import('../../../../renderer/src/logic/compare')
    const { TrainConfig } = await import('../../../../shared/api/schemas')
    const run = {
      runId: 'mx1q66pl-83ee2a',
      createdAt: '2026-11-29T10:51:00.000Z',
      config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 5, batchSize: 64, learningRate: 0.02, optimizer: 'adam', lrSchedule: 'cosine' }),
      status: 'completed',
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      result: { testAccuracy: 0.9909 },
    } as Parameters<typeof modelChoiceLabel>[0]
    expect(modelChoiceLabel(run)).toMatch(/^lenet-relu · mnist · lr 0\.02 · 99\.1% · 11-29 \d\d:51$/)
    // A name of the user's own does not say the data set: the label does.
    expect(modelChoiceLabel({ ...run, name: ' ReLU baseline ' })).toBe('ReLU baseline · mnist · 99.1%')
    // A run that stayed at chance level is marked.
    expect(modelChoiceLabel({ ...run, name: 'stuck', result: { ...run.result!, testAccuracy: 0.096 } })).toBe('stuck · mnist · 9.6% · ⚠ did not learn')
    expect(modelChoiceLabel({ ...run, result: undefined })).toMatch(/^lenet-relu · mnist · lr 0\.02 · 11-29/)
    expect(modelChoiceLabel(run)).not.toContain(run.runId)
  })
})

describe('run row', () => {
  const config = TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1, seed: 3, limit: 500 })
  it('names the settings the table does not show in the hyperparameter tooltip', () => {
    expect(hyperTitle({ config })).toBe('optimizer default · seed 3 · 500 images')
  })
  it('lets only a run that is neither active nor paused be deleted', () => {
    expect(canDelete({ status: 'completed' })).toBe(true)
    expect(canDelete({ status: 'failed' })).toBe(true)
    expect(canDelete({ status: 'running' })).toBe(false)
    expect(canDelete({ status: 'queued' })).toBe(false)
    expect(canDelete({ status: 'paused' })).toBe(false)
  })
})
