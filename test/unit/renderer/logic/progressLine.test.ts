import { describe, expect, it } from 'vitest'
import { progressLine, SAMPLES_PER_SECOND_MEANING } from '../../../../renderer/src/logic/progressLine'
import type { RunProgress } from '../../../../renderer/src/logic/metrics'

/** The last progress event of a 4-epoch run of 3,000 images an epoch, a third into epoch 2. */
const progress: RunProgress = { epoch: 2, epochs: 4, samplesSeen: 4000, totalSamples: 12000, samplesPerSecond: 862.4, etaSeconds: 75 }

describe('the progress line says what the run is doing, or how it ended', () => {
  it('while training: percent, epoch, speed and ETA, the speed explained', () => {
    const line = progressLine(progress, { status: 'running', epochs: 4 })
    expect(line).toEqual({ percent: 33, text: '33% · epoch 2/4 · 862 samples/s · ETA 01:15', speed: true })
    expect(SAMPLES_PER_SECOND_MEANING).toMatch(/batches only.*paused time/)
  })

  it('while paused: "paused", no speed and no ETA', () => {
    const line = progressLine(progress, { status: 'paused', epochs: 4 })
    expect(line).toEqual({ percent: 33, text: '33% · epoch 2/4 · paused', speed: false })
  })

  it('cancelled: what was kept, the discarded epoch named, not its batches', () => {
    expect(progressLine(progress, { status: 'cancelled', epochs: 4, checkpointEpoch: 1 })).toEqual({
      percent: 25,
      text: '25% · cancelled: 1 of 4 epochs kept, epoch 2 discarded',
      speed: false,
    })
    expect(progressLine(undefined, { status: 'cancelled', epochs: 4 }).text).toBe('0% · cancelled in its first epoch: nothing kept')
    expect(progressLine(undefined, { status: 'interrupted', epochs: 5, checkpointEpoch: 3 }).text).toBe('60% · interrupted: 3 of 5 epochs kept, epoch 4 discarded')
  })

  it('failed: where it failed, never "epoch 0"', () => {
    expect(progressLine(undefined, { status: 'failed', epochs: 2 }).text).toBe('0% · failed before its first epoch ended')
    expect(progressLine(progress, { status: 'failed', epochs: 4, checkpointEpoch: 1 }).text).toBe('33% · failed in epoch 2/4')
    expect(progressLine(undefined, { status: 'failed', epochs: 4, checkpointEpoch: 1 }).text).toBe('25% · failed after epoch 1/4')
  })

  it('stopped and completed: no speed (the result shows the throughput)', () => {
    expect(progressLine(progress, { status: 'stopped', epochs: 4, checkpointEpoch: 1 })).toEqual({
      percent: 33,
      text: '33% · stopped in epoch 2/4; the model as it was then is saved',
      speed: false,
    })
    expect(progressLine({ ...progress, epoch: 4, samplesSeen: 12000 }, { status: 'completed', epochs: 4 })).toEqual({ percent: 100, text: '100% · epoch 4/4', speed: false })
  })
})
