import { describe, expect, it } from 'vitest'
import { EXPERIMENTS } from '../../shared/experiments'
import { diffConfigs, differingFields, flattenConfig } from '../../shared/configDiff'
import { TrainConfig } from '../../shared/api/schemas'
import { getArchitecture } from '../../shared/arch/specs'
import { analyzeModel } from '../../shared/arch/layerMath'

describe('experiment presets', () => {
  it('has every experiment the notes ask for, with unique ids', () => {
    expect(EXPERIMENTS.map((e) => e.id)).toEqual([
      'sigmoid-vs-relu',
      'avg-vs-max-pooling',
      'batch-norm',
      'resnet-shortcuts',
      'dropout',
      'augmentation',
      'shuffle',
    ])
  })

  for (const experiment of EXPERIMENTS) {
    it(`${experiment.id}: configs parse and differ only in ${experiment.field}`, () => {
      expect(experiment.runs.length).toBeGreaterThanOrEqual(2)
      const parsed = experiment.runs.map((run) => TrainConfig.parse(run.config))
      const differing = differingFields(parsed)
      expect(differing.length).toBeGreaterThan(0)
      for (const field of differing) expect(field === experiment.field || field.startsWith(`${experiment.field}.`)).toBe(true)
      // Small enough for a CPU: a limit, a few epochs, and a network that builds at its input size.
      for (const config of parsed) {
        expect(config.limit).toBeLessThanOrEqual(20_000)
        expect(config.epochs).toBeLessThanOrEqual(3)
        const spec = getArchitecture(config.arch, { inputSize: config.inputSize, knobs: config.knobs })
        expect(analyzeModel(spec, spec.input).totalParams).toBeGreaterThan(0)
      }
      expect(new Set(experiment.runs.map((run) => run.label)).size).toBe(experiment.runs.length)
    })
  }
})

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
})
