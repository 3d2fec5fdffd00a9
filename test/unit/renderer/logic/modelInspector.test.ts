import { describe, expect, it } from 'vitest'
import { initialChoice, inspect } from '../../../../renderer/src/logic/modelInspector'
import { validateTrainForm } from '../../../../renderer/src/logic/trainForm'

describe('Models view logic', () => {
  it('starts each architecture at the notes\u2019 setting and the CPU preset at its smaller one', () => {
    expect(inspect(initialChoice('lenet5')).info.totalParams).toBe(61706)
    const notes = initialChoice('resnet18')
    expect(notes.inputSize).toBe(96)
    const cpu = initialChoice('resnet18', 'cpu')
    expect(cpu).toMatchObject({ inputSize: 32, knobs: { width: 0.25, residual: true } })
    expect(inspect(cpu).info.totalParams).toBeLessThan(inspect(notes).info.totalParams / 10)
  })

  it('reports an impossible input size as a problem, and the diagram has Inception\u2019s four branches', () => {
    const tooSmall = inspect({ ...initialChoice('alexnet'), inputSize: 28 })
    expect(tooSmall.info.problems.map((p) => p.layer)).toEqual(['conv2.pool1'])
    const google = inspect(initialChoice('googlenet'))
    const inception = google.stages.flatMap((s) => s.items).filter((i) => i.type === 'concat')
    expect(inception).toHaveLength(9)
    expect(inception.every((i) => i.type === 'concat' && i.branches.length === 4)).toBe(true)
  })

  it('sends the train form\u2019s input size and preset knobs with the config', () => {
    const values = { arch: 'resnet18' as const, epochs: 1, batchSize: 32, learningRate: 0.05, limit: '', backend: 'auto' as const }
    expect(validateTrainForm({ ...values, inputSize: 32, knobs: { width: 0.25 } }).config).toMatchObject({ inputSize: 32, knobs: { width: 0.25 } })
    expect(validateTrainForm(values).config).not.toHaveProperty('inputSize')
    expect(validateTrainForm({ ...values, inputSize: 4 }).errors.inputSize).toMatch(/at least 8/)
  })
})
