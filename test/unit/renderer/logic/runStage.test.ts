import { describe, expect, it } from 'vitest'
import { epochCount, runStage } from '../../../../renderer/src/logic/metrics'

const data = { imageShape: [28, 28, 1] as [number, number, number], train: 2000, validation: 0, test: 10000, mean: [], std: [], normalized: false, skipped: 0 }
const backend = { name: 'wasm' as const, skipped: [] }
const progress = (samplesSeen: number) => ({ epoch: 1, epochs: 1, samplesSeen, totalSamples: 2000, samplesPerSecond: 100, etaSeconds: 5 })

describe('the stage a run is in, where a percentage says nothing', () => {
  it('follows the worker: data, model, batches, final evaluation', () => {
    expect(runStage(undefined, undefined)).toBe('Waiting in the queue')
    expect(runStage({ status: 'running' }, undefined)).toBe('Loading data')
    expect(runStage({ status: 'running', data }, undefined)).toBe('Building the model')
    expect(runStage({ status: 'running', data, backend }, undefined)).toBe('Training the first batches')
    expect(runStage({ status: 'running', data, backend }, progress(640))).toBeUndefined()
    expect(runStage({ status: 'running', data, backend }, progress(2000))).toBe('Evaluating on the test set and saving the model')
    expect(runStage({ status: 'completed', data, backend }, progress(2000))).toBeUndefined()
  })
  it('counts epochs in words', () => {
    expect(epochCount(1)).toBe('1 epoch')
    expect(epochCount(3)).toBe('3 epochs')
  })
})
