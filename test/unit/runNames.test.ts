import { describe, expect, it } from 'vitest'
import { defaultRunName, runDisplayName } from '../../shared/runNames'
import { TrainConfig } from '../../shared/api/schemas'
import { getArchitecture } from '../../shared/arch/specs'

const reluDefaults = getArchitecture('lenet-relu').defaults
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
    expect(defaultRunName(config({ knobs: { activation: 'sigmoid' }, augment: { flip: true }, seed: 4 }))).toBe('lenet-relu · mnist · activation sigmoid · flip · seed 4')
  })
  it('caps the list and names a folder by its last segment', () => {
    const name = defaultRunName(config({ dataset: 'folder:/home/me/photos/', learningRate: 0.1, batchSize: 32, epochs: 2, limit: 100, seed: 9, weightDecay: 0.01 }))
    expect(name).toBe('lenet-relu · photos · lr 0.1 · batch 32 · 2 epochs · 100 images · +2 more')
  })
  it('a user-given name wins over the default one', () => {
    expect(runDisplayName({ name: ' baseline ', config: config() })).toBe('baseline')
    expect(runDisplayName({ name: '', config: config({ learningRate: 0.02 }) })).toBe('lenet-relu · mnist · lr 0.02')
  })
})
