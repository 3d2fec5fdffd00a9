import { describe, expect, it } from 'vitest'
import { formatNeededGiB, WASM_LIMIT_TEXT } from '../../../../shared/arch/memoryBudget'
import { learningRateNote, memoryProblem, memoryWarning, offersPrecision, startBlockedReason, validateTrainForm, type TrainFormValues } from '../../../../renderer/src/logic/trainForm'

const valid: TrainFormValues = { arch: 'lenet5', epochs: 10, batchSize: 256, learningRate: 0.9, limit: '', backend: 'auto' }

describe('validateTrainForm', () => {
  it('builds the training.start request from a valid form', () => {
    const { config, errors } = validateTrainForm(valid)
    expect(errors).toEqual({})
    expect(config).toEqual({ arch: 'lenet5', dataset: 'mnist', epochs: 10, batchSize: 256, learningRate: 0.9, backend: 'auto' })
  })
  it('includes the optional limit when given, as text or number', () => {
    expect(validateTrainForm({ ...valid, limit: 512 }).config?.limit).toBe(512)
    expect(validateTrainForm({ ...valid, limit: ' 64 ' }).config?.limit).toBe(64)
  })
  it('reports one readable message per invalid field', () => {
    const { config, errors } = validateTrainForm({
      ...valid,
      epochs: 0,
      batchSize: 2.5,
      learningRate: '',
      limit: 'abc',
    })
    expect(config).toBeUndefined()
    expect(errors.epochs).toBe('Must be at least 1')
    expect(errors.batchSize).toBe('Must be a whole number')
    expect(errors.learningRate).toBe('Required')
    expect(errors.limit).toBe('Enter a number')
    expect(errors.arch).toBeUndefined()
  })
  it('uses the schema bounds', () => {
    expect(validateTrainForm({ ...valid, epochs: 1001 }).errors.epochs).toBe('Must be at most 1000')
    expect(validateTrainForm({ ...valid, learningRate: 0 }).errors.learningRate).toBe('Must be greater than 0')
  })
  it('requires an architecture', () => {
    expect(validateTrainForm({ ...valid, arch: '' }).errors.arch).toBe('Choose an architecture')
  })
  it('sends mixed precision only with a backend that may run it (webgpu, auto); fp32 stays implicit', () => {
    expect(offersPrecision('webgpu')).toBe(true)
    expect(offersPrecision('auto')).toBe(true)
    expect(offersPrecision('wasm-blas')).toBe(false)
    expect(validateTrainForm({ ...valid, backend: 'webgpu', options: { precision: 'mixed' } }).config?.precision).toBe('mixed')
    expect(validateTrainForm({ ...valid, options: { precision: 'mixed' } }).config?.precision).toBe('mixed')
    // Chosen for webgpu, then the backend changed to one without it: the hidden choice is not sent.
    expect(validateTrainForm({ ...valid, backend: 'wasm-blas', options: { precision: 'mixed' } }).config).not.toHaveProperty('precision')
    expect(validateTrainForm({ ...valid, backend: 'webgpu', options: { precision: 'fp32' } }).config).not.toHaveProperty('precision')
  })
})

describe('startBlockedReason', () => {
  const base = { loading: false, busy: false, activeRun: false, errors: {} }
  it('says why Start is disabled', () => {
    expect(startBlockedReason(base)).toBeUndefined()
    expect(startBlockedReason({ ...base, activeRun: true })).toBe('A run is in progress')
    expect(startBlockedReason({ ...base, errors: { epochs: 'x' } })).toBe('Fix the highlighted field to start')
    expect(startBlockedReason({ ...base, errors: { epochs: 'x', limit: 'y' } })).toBe('Fix the 2 highlighted fields to start')
  })
})

describe('sweeps in the train form', () => {
  const base: TrainFormValues = { arch: 'lenet5', epochs: 1, batchSize: 64, learningRate: 0.1, limit: '', backend: 'auto' }
  it('turns several comma-separated values into a sweep of every combination', () => {
    const result = validateTrainForm({ ...base, learningRate: '0.1, 0.05', batchSize: '32,64' })
    expect(result.errors).toEqual({})
    expect(result.sweep).toEqual({ runs: 4, learningRates: [0.1, 0.05], batchSizes: [32, 64] })
    expect(result.config?.learningRate).toBe(0.1)
  })
  it('is no sweep with one value, text or number', () => {
    expect(validateTrainForm({ ...base, learningRate: '0.1' }).sweep).toBeUndefined()
    expect(validateTrainForm(base).sweep).toBeUndefined()
  })
  it('names the bad value in a list', () => {
    expect(validateTrainForm({ ...base, learningRate: '0.1, -1' }).errors.learningRate).toBe('-1: Must be greater than 0')
    expect(validateTrainForm({ ...base, batchSize: '32, 2.5' }).errors.batchSize).toBe('2.5: Must be a whole number')
    expect(validateTrainForm({ ...base, batchSize: '32,,64' }).errors.batchSize).toMatch(/empty value/)
    expect(validateTrainForm({ ...base, batchSize: '32, 32' }).errors.batchSize).toMatch(/twice/)
    const many = Array.from({ length: 7 }, (_, i) => i + 1)
    expect(validateTrainForm({ ...base, learningRate: many.map((v) => v / 100).join(','), batchSize: many.join(',') }).errors.learningRate).toMatch(/at most 36 runs/)
  })
})

describe('memoryWarning', () => {
  const vgg = { arch: 'vgg16', dataset: 'mnist', epochs: 1, batchSize: 128, learningRate: 0.01, backend: 'auto' } as const
  it('warns before Start when the wasm heap cannot hold the run, naming the batch size that fits', () => {
    expect(memoryWarning(vgg)).toMatch(/^Batch 128 needs about [\d.]+ GiB to train, more than the 3.50 GiB a run may use of the wasm backends' 4 GiB heap .*: use a batch size of at most \d+ or the CPU preset\.$/)
    // The largest batch of a sweep counts.
    expect(memoryWarning({ ...vgg, batchSize: 2 }, [2, 64])).toMatch(/^Batch 64 needs/)
  })
  it('disables Start for a run that cannot fit, saying why and which batch size fits', () => {
    const memory = memoryProblem(vgg)!
    expect(memory.maxBatchSize).toBeGreaterThanOrEqual(1)
    expect(memory.maxBatchSize).toBeLessThan(128)
    const reason = startBlockedReason({ loading: false, busy: false, activeRun: false, errors: {}, memory })
    expect(reason).toBe(`Batch 128 needs about ${formatNeededGiB(memory.bytes)}, more than ${WASM_LIMIT_TEXT}: batch ${memory.maxBatchSize} or less fits`)
    // The batch said to fit does fit.
    expect(memoryProblem({ ...vgg, batchSize: memory.maxBatchSize })).toBeUndefined()
    expect(startBlockedReason({ loading: false, busy: false, activeRun: false, errors: {}, memory: { ...memory, maxBatchSize: 0 } })).toMatch(/even at batch 1: use the CPU preset$/)
  })
  it('stays quiet for what fits, and for native TensorFlow, which has no 4 GiB heap', () => {
    expect(memoryWarning({ ...vgg, batchSize: 2 })).toBeUndefined()
    expect(memoryWarning({ ...vgg, arch: 'lenet-relu', batchSize: 256 })).toBeUndefined()
    expect(memoryWarning({ ...vgg, backend: 'tensorflow-gpu' })).toBeUndefined()
  })
})

describe('learningRateNote', () => {
  const lenet = { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.002, backend: 'auto' } as const
  it('hints when a rate is far outside the usual range of the optimizer the run will use', () => {
    expect(learningRateNote(lenet)).toBeUndefined()
    // lenet-relu trains with Adam unless told otherwise: 1e6 is far above its range.
    expect(learningRateNote({ ...lenet, learningRate: 1e6 })).toMatch(/^Learning rate 1000000 is far above the usual range for adam .*try 0\.001\.$/)
    expect(learningRateNote({ ...lenet, learningRate: 0.5, optimizer: 'sgd' })).toBeUndefined()
    expect(learningRateNote({ ...lenet, learningRate: 1e-7, optimizer: 'sgd' })).toMatch(/far below the usual range for sgd/)
    // Any rate of a sweep counts.
    expect(learningRateNote(lenet, [0.001, 5])).toMatch(/^Learning rate 5 is far above/)
  })
})
