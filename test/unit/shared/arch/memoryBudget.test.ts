import { describe, expect, it } from 'vitest'
import { analyzeModel } from '../../../../shared/arch/layerMath'
import { estimateTrainingMemory, wasmMemoryProblem, WASM_USABLE_BYTES } from '../../../../shared/arch/memoryBudget'
import { getArchitecture } from '../../../../shared/arch/specs'

const info = (id: 'vgg16' | 'alexnet' | 'lenet-relu', inputSize?: number) => {
  const spec = getArchitecture(id, { inputSize })
  return analyzeModel(spec, spec.input)
}

describe('training memory on the wasm rungs (4 GiB heap)', () => {
  it('refuses VGG-16 at 224 px and batch 128, naming the batch size that fits', () => {
    const vgg = info('vgg16')
    const problem = wasmMemoryProblem(vgg, 128, 'VGG-16 at 224 px')
    expect(problem).toMatch(/^VGG-16 at 224 px at batch size 128 needs about [\d.]+ GiB to train, more than the 4 GiB the wasm backends can address: use a batch size of at most (\d+)/)
    const fits = Number(/at most (\d+)/.exec(problem!)![1])
    expect(fits).toBeGreaterThanOrEqual(1)
    // The named batch size fits; one more does not.
    expect(wasmMemoryProblem(vgg, fits, 'VGG-16')).toBeNull()
    expect(wasmMemoryProblem(vgg, fits + 1, 'VGG-16')).not.toBeNull()
    expect(estimateTrainingMemory(vgg, fits).bytes).toBeLessThanOrEqual(WASM_USABLE_BYTES)
  })

  it('lets through what was measured to train: AlexNet at 224 px, batch 128, and LeNet at batch 256', () => {
    expect(wasmMemoryProblem(info('alexnet'), 128, 'AlexNet')).toBeNull()
    expect(wasmMemoryProblem(info('lenet-relu'), 256, 'LeNet')).toBeNull()
  })

  it('says so when not even one image fits', () => {
    expect(wasmMemoryProblem({ activationBytes: 2 ** 31, totalParams: 1000, nonTrainableParams: 0 }, 1, 'Huge')).toMatch(/even one image does not fit/)
  })
})
