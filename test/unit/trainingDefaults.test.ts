import { describe, expect, it } from 'vitest'
import { getArchitecture } from '../../shared/arch/specs'
import { withTrainingDefaults } from '../../shared/arch/trainingDefaults'

describe('training defaults, resolved in one place', () => {
  it('fills what the request left out from the architecture, keeps what it chose, and a schedule nobody chose is constant', () => {
    const relu = getArchitecture('lenet-relu').defaults
    expect(withTrainingDefaults({ epochs: 2 }, relu)).toEqual({ epochs: 2, batchSize: relu.batchSize, learningRate: relu.learningRate, optimizer: relu.optimizer, lrSchedule: relu.lrSchedule })
    expect(relu.lrSchedule).toBe('cosine')
    const lenet5 = getArchitecture('lenet5').defaults
    expect(lenet5.lrSchedule).toBeUndefined()
    expect(withTrainingDefaults({ optimizer: 'adam' as const, dataset: 'mnist' }, lenet5)).toMatchObject({ optimizer: 'adam', lrSchedule: 'constant', dataset: 'mnist', epochs: lenet5.epochs })
  })

  it('a preset brings its own defaults', () => {
    const spec = getArchitecture('resnet18')
    const cpu = spec.presets.cpu.training
    expect(withTrainingDefaults({}, cpu)).toMatchObject({ epochs: cpu.epochs, batchSize: cpu.batchSize, learningRate: cpu.learningRate })
  })
})
