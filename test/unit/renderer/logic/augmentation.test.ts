import { describe, expect, it } from 'vitest'
import { augmentFromChoice, defaultAugmentChoice, describeAugment } from '../../../../renderer/src/logic/augmentation'
import { validateTrainForm } from '../../../../renderer/src/logic/trainForm'
import { AugmentConfig } from '../../../../shared/api/schemas'

describe('augmentation from the Data view', () => {
  it('does not flip digits by default; other data sets do', () => {
    expect(defaultAugmentChoice('mnist').flip).toBe(false)
    expect(defaultAugmentChoice('cifar10').flip).toBe(true)
  })
  it('turns the checkboxes into a valid pipeline config, and describes it', () => {
    const config = augmentFromChoice(defaultAugmentChoice('mnist'))
    expect(AugmentConfig.parse(config)).toEqual(config)
    expect(describeAugment(config)).toBe('crop + pad 4 px, brightness/contrast ±0.25')
    expect(describeAugment(undefined)).toBe('none')
  })
  it('goes into the next run\u2019s config when chosen', () => {
    const augment = augmentFromChoice({ crop: true, flip: false, jitter: false, pca: false })
    const form = { arch: 'lenet-relu' as const, epochs: 1, batchSize: 64, learningRate: 0.01, limit: '', backend: 'auto' as const }
    expect(validateTrainForm({ ...form, augment }).config?.augment).toEqual(augment)
    expect(validateTrainForm(form).config).not.toHaveProperty('augment')
  })
})
