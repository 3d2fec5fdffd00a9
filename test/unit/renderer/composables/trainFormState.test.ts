/**
 * Where the Train form's values come from (useTrainFormState): the first architecture's defaults, the
 * last values after a reload, and "Train this" from the Models view. No DOM: the composable runs in an
 * effect scope with a Map standing in for localStorage.
 */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick } from 'vue'
import type { ArchitectureSummary } from '../../../../shared/api/schemas'
import { useTrainFormState } from '../../../../renderer/src/composables/useTrainFormState'
import { useTrainDraftStore } from '../../../../renderer/src/stores/trainDraft'

const summary = (id: ArchitectureSummary['id'], name: string): ArchitectureSummary => ({ id, name, description: '', params: 1, inputShape: [28, 28, 1] })
const architectures = [summary('lenet5', 'LeNet-5'), summary('alexnet', 'AlexNet')]

let stored: Map<string, string>
beforeEach(() => {
  stored = new Map()
  const localStorage = { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => void stored.set(key, value) }
  vi.stubGlobal('window', { localStorage, location: { hash: '#/train' } })
  setActivePinia(createPinia())
})
afterEach(() => vi.unstubAllGlobals())

function mountState(list: ArchitectureSummary[]) {
  const scope = effectScope()
  const state = scope.run(() => useTrainFormState({ architectures: list }))!
  return { state, stop: () => scope.stop() }
}

describe('useTrainFormState', () => {
  it('starts from the first architecture with its preset defaults, and saves every change', async () => {
    const { state, stop } = mountState(architectures)
    expect(state.form.arch).toBe('lenet5')
    expect([state.form.epochs, state.form.batchSize, state.form.learningRate]).toEqual([10, 256, 0.9])
    state.form.epochs = 3
    await nextTick()
    expect(JSON.parse(stored.get('cnn-workbench:train.form')!).values.epochs).toBe(3)
    stop()
  })

  it('brings the last values back after a reload, over the defaults of their architecture', async () => {
    const first = mountState(architectures)
    first.state.form.arch = 'alexnet'
    await nextTick()
    first.state.form.learningRate = 0.005
    first.state.datasetChoice.value = 'cifar10'
    await nextTick()
    first.stop()
    setActivePinia(createPinia())
    const { state, stop } = mountState(architectures)
    await nextTick()
    expect([state.form.arch, state.form.learningRate, state.form.dataset, state.datasetChoice.value]).toEqual(['alexnet', 0.005, 'cifar10', 'cifar10'])
    stop()
  })

  it('takes "Train this" from the Models view: the preset\'s defaults, then the input size and knobs chosen there', async () => {
    const { state, stop } = mountState(architectures)
    const drafts = useTrainDraftStore()
    drafts.send({ arch: 'alexnet', inputSize: 64, knobs: { batchNorm: true }, preset: 'cpu' })
    await nextTick()
    await nextTick()
    expect(drafts.draft).toBeNull()
    expect([state.form.arch, state.preset.value, state.form.inputSize]).toEqual(['alexnet', 'cpu', 64])
    expect(state.form.knobs).toEqual({ batchNorm: true })
    expect(state.customKnobs.value).toContain('batchNorm true')
    stop()
  })
})
