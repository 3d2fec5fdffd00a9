import { describe, expect, it } from 'vitest'
import { defaultRunName, runDisplayName } from '../../../shared/runNames'
import { TrainConfig } from '../../../shared/api/schemas'
import { presetRun, resolveRun } from '../../../shared/run/resolveRun'

const reluDefaults = presetRun('lenet-relu', 'mnist')
// As runs were stored before presets were recorded: no preset, no input size.
const config = (overrides: Record<string, unknown> = {}) =>
  TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: reluDefaults.epochs, batchSize: reluDefaults.batchSize, learningRate: reluDefaults.learningRate, optimizer: reluDefaults.optimizer, lrSchedule: reluDefaults.lrSchedule, ...overrides })

describe('default run names', () => {
  it('is architecture · data set when every setting is the default', () => {
    expect(defaultRunName(config())).toBe('lenet-relu · mnist')
    expect(defaultRunName(config({ inputSize: 28 }))).toBe('lenet-relu · mnist')
    expect(defaultRunName(config({ inputSize: 32 }))).toBe('lenet-relu · mnist · 32 px')
  })
  it('lists the settings that differ, learning rate first', () => {
    expect(defaultRunName(config({ learningRate: 0.02 }))).toBe('lenet-relu · mnist · lr 0.02')
    expect(defaultRunName(config({ limit: 2000, epochs: 1, learningRate: 1e6 }))).toBe('lenet-relu · mnist · lr 1000000 · 1 epoch · 2000 images')
    expect(defaultRunName(config({ knobs: { activation: 'sigmoid' }, augment: { flip: true }, seed: 4 }))).toBe('lenet-relu · mnist · activation sigmoid · horizontal flip on · seed 4')
  })
  it('caps the list and names a folder by its last segment', () => {
    const name = defaultRunName(config({ dataset: 'folder:/home/me/photos/', learningRate: 0.1, batchSize: 32, epochs: 2, limit: 100, seed: 9, weightDecay: 0.01 }))
    expect(name).toBe('lenet-relu · photos · lr 0.1 · batch 32 · 2 epochs · 100 images · +2 more')
  })
  it('names a preset other than the notes\u2019, and only what differs from it', () => {
    expect(defaultRunName(resolveRun({ arch: 'alexnet', dataset: 'mnist', preset: 'cpu' }))).toBe('alexnet · cpu preset · mnist')
    expect(defaultRunName(resolveRun({ arch: 'alexnet', dataset: 'mnist', preset: 'cpu', learningRate: 0.05 }))).toBe('alexnet · cpu preset · mnist · lr 0.05')
    // The same settings asked for without the preset differ from the notes' AlexNet.
    expect(defaultRunName(resolveRun({ arch: 'alexnet', dataset: 'mnist', inputSize: 96, knobs: { width: 0.25 }, optimizer: 'momentum', epochs: 5 }))).toBe('alexnet · mnist · momentum · 5 epochs · 96 px · width 0.25')
  })
  it('a user-given name wins over the default one', () => {
    expect(runDisplayName({ name: ' baseline ', config: config() })).toBe('baseline')
    // Human words, never a raw config key.
    expect(defaultRunName(config({ augment: { cropPadding: 4 }, knobs: { residual: false } } as never))).not.toMatch(/cropPadding|residual|knobs\./)
    expect(runDisplayName({ name: '', config: config({ learningRate: 0.02 }) })).toBe('lenet-relu · mnist · lr 0.02')
  })
})

describe('config labels', () => {
  it('say a setting in words, never the raw key: crop padding in px, shortcuts on/off, learning rate', async () => {
    const { configFieldLabel, settingInName, CONFIG_FIELD_LABELS } = await import('../../../shared/run/configLabels')
    const { flattenConfig } = await import('../../../shared/configDiff')
    const { resolveRun } = await import('../../../shared/run/resolveRun')
    expect(settingInName('augment.cropPadding', 4)).toBe('crop padding 4 px')
    expect(settingInName('knobs.residual', false)).toBe('shortcuts off')
    expect(configFieldLabel('knobs.activation')).toBe('activation')
    expect(configFieldLabel('learningRate')).toBe('learning rate')
    // Every field a resolved config can hold has a label of its own.
    const config = resolveRun({ arch: 'resnet18', dataset: 'cifar10', knobs: { residual: false }, augment: { cropPadding: 4, flip: true }, gradientClipNorm: 1, earlyStoppingPatience: 2, validationFraction: 0.1, normalize: 'dataset' })
    for (const field of Object.keys(flattenConfig(config))) expect(CONFIG_FIELD_LABELS[field], field).toBeDefined()
  })
})
