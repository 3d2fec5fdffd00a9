import { describe, expect, it } from 'vitest'
import { TrainConfig } from '../../../../shared/api/schemas'
import { augmentFromNames, augmentNames, describeOptionValue, flagAttribute, parseOptionText, toggleAugment, trainingOption, TRAINING_OPTIONS } from '../../../../shared/run/trainingOptions'

describe('the training option list', () => {
  it('names a TrainConfig field, a flag and help for each option, once', () => {
    const fields = TRAINING_OPTIONS.map((option) => option.field)
    expect(new Set(fields).size).toBe(fields.length)
    expect(new Set(TRAINING_OPTIONS.map((o) => o.flag)).size).toBe(fields.length)
    for (const option of TRAINING_OPTIONS) {
      expect(Object.keys(TrainConfig.shape)).toContain(option.field)
      expect(option.flag).toMatch(/^--[a-z-]+$/)
      expect(option.help.length).toBeGreaterThan(10)
    }
    expect(flagAttribute(trainingOption('weightDecay'))).toBe('weightDecay')
    expect(flagAttribute(trainingOption('shuffle'))).toBe('shuffle')
    expect(flagAttribute(trainingOption('gradientClipNorm'))).toBe('clip')
  })
  it('reads text with the field\u2019s schema: its bounds, whole numbers, choices', () => {
    expect(parseOptionText(trainingOption('weightDecay'), ' 0.0005 ')).toEqual({ ok: true, value: 0.0005 })
    expect(parseOptionText(trainingOption('weightDecay'), '2')).toEqual({ ok: false, error: 'Must be at most 1' })
    expect(parseOptionText(trainingOption('gradientClipNorm'), '0')).toEqual({ ok: false, error: 'Must be greater than 0' })
    expect(parseOptionText(trainingOption('seed'), '-1')).toEqual({ ok: false, error: 'Must be at least 0' })
    expect(parseOptionText(trainingOption('lrSchedule'), 'linear')).toEqual({ ok: false, error: 'Choose one of constant, step, cosine' })
    expect(parseOptionText(trainingOption('normalize'), '0.5:0.25')).toEqual({ ok: true, value: { mean: [0.5], std: [0.25] } })
  })
  it('describes what a blank field stands for', () => {
    expect(describeOptionValue(trainingOption('gradientClipNorm'), undefined)).toBe('no clipping')
    expect(describeOptionValue(trainingOption('precision'), undefined)).toBe('fp32')
    expect(describeOptionValue(trainingOption('augment'), undefined)).toBe('none')
    expect(describeOptionValue(trainingOption('augment'), augmentFromNames(['flip', 'pca']))).toBe('flip, pca')
  })
  it('toggles one augmentation, keeping the others\u2019 values (the Data view\u2019s finer ones)', () => {
    const fromDataView = { cropPadding: 2, flip: false, brightness: 0.25, contrast: 0.25, pcaNoise: 0 }
    expect(augmentNames(fromDataView)).toEqual(['crop', 'jitter'])
    expect(toggleAugment(fromDataView, 'flip', true)).toEqual({ ...fromDataView, flip: true })
    expect(toggleAugment(fromDataView, 'jitter', false)).toEqual({ ...fromDataView, brightness: 0, contrast: 0 })
    expect(toggleAugment(null, 'crop', true)).toEqual(augmentFromNames(['crop']))
    expect(toggleAugment(augmentFromNames(['crop']), 'crop', false)).toBeNull()
  })
})
