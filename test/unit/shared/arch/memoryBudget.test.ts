import { describe, expect, it } from 'vitest'
import { analyzeModel } from '../../../../shared/arch/layerMath'
import { estimateTrainingMemory, formatNeededGiB, wasmMemoryProblem, WASM_USABLE_BYTES } from '../../../../shared/arch/memoryBudget'
import { getArchitecture, type ArchitectureId } from '../../../../shared/arch/specs'
import { memoryProblem, startBlockedReason } from '../../../../renderer/src/logic/trainForm'
import { presetRun } from '../../../../shared/run/resolveRun'

const info = (id: 'vgg16' | 'alexnet' | 'lenet-relu', inputSize?: number) => {
  const spec = getArchitecture(id, { inputSize })
  return analyzeModel(spec, spec.input)
}

describe('training memory on the wasm rungs (4 GiB heap)', () => {
  it('refuses VGG-16 at 224 px and batch 128, naming the batch size that fits', () => {
    const vgg = info('vgg16')
    const problem = wasmMemoryProblem(vgg, 128, 'VGG-16 at 224 px')
    expect(problem).toMatch(/^VGG-16 at 224 px at batch size 128 needs about [\d.]+ GiB to train, more than the 3.50 GiB a run may use of the wasm backends' 4 GiB heap: use a batch size of at most (\d+)/)
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

describe('the form, the suggested batch and the refusal agree', () => {
  /** The GiB a message names, as a number. */
  const named = (message: string) => Number(/needs about ([\d.]+) GiB/.exec(message)![1])
  const limit = WASM_USABLE_BYTES / 2 ** 30
  const cases: { arch: ArchitectureId; knobs?: Record<string, unknown>; batchSize: number }[] = [
    // The case: ResNet-18 without shortcuts at batch 256 (227 fits; 228 read "3.5 GiB" and was refused).
    { arch: 'resnet18', knobs: { residual: false }, batchSize: 256 },
    { arch: 'resnet18', batchSize: 512 },
    { arch: 'vgg16', batchSize: 128 },
    { arch: 'alexnet', batchSize: 1024 },
    { arch: 'googlenet', batchSize: 512 },
  ]
  for (const { arch, knobs, batchSize } of cases) {
    it(`${arch}${knobs ? ' ' + JSON.stringify(knobs) : ''}: the batch suggested fits, one more is refused above the limit`, () => {
      const resolved = presetRun(arch, 'mnist')
      const config = { ...resolved, knobs: { ...resolved.knobs, ...knobs }, batchSize, backend: 'wasm-blas' as const }
      const problem = memoryProblem(config)!
      expect(problem).toBeDefined()
      const fits = problem.maxBatchSize
      expect(fits).toBeGreaterThanOrEqual(1)
      const reason = startBlockedReason({ loading: false, busy: false, activeRun: false, errors: {}, memory: problem })!
      expect(reason).toContain(`batch ${fits} or less fits`)
      expect(named(reason)).toBeGreaterThan(limit)
      // Accepted by the form at the suggested batch, refused one above with a need above the limit it names.
      expect(memoryProblem({ ...config, batchSize: fits })).toBeUndefined()
      const over = memoryProblem({ ...config, batchSize: fits + 1 })!
      expect(over.maxBatchSize).toBe(fits)
      const overReason = startBlockedReason({ loading: false, busy: false, activeRun: false, errors: {}, memory: over })!
      expect(overReason).toMatch(new RegExp(`^Batch ${fits + 1} needs about [\\d.]+ GiB, more than the 3\\.50 GiB a run may use`))
      expect(named(overReason)).toBeGreaterThan(limit)
      // The worker's own check (main/training/jobModel) says the same.
      const spec = getArchitecture(arch, { inputSize: config.inputSize, channels: 1, knobs: config.knobs })
      const model = analyzeModel(spec, spec.input)
      expect(wasmMemoryProblem(model, fits, arch)).toBeNull()
      expect(named(wasmMemoryProblem(model, fits + 1, arch)!)).toBeGreaterThan(limit)
    })
  }
  it('rounds a need up, so that just over the limit never reads as the limit', () => {
    expect(formatNeededGiB(WASM_USABLE_BYTES + 1)).toBe('3.51 GiB')
    expect(formatNeededGiB(WASM_USABLE_BYTES)).toBe('3.50 GiB')
  })
})
