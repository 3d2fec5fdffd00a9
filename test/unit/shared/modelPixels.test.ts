import { describe, expect, it } from 'vitest'
import { BYTE_SCALE, standardisationOf, standardise, toModelPixels } from '../../../shared/modelPixels'
import { ImagePipeline } from '../../../main/data/pipeline/imagePipeline'

describe('model pixels: one scaling and standardisation for training, Predict and Inspect', () => {
  it('scales bytes to [0, 1] and standardises per channel, one stat repeated over channels', () => {
    const stats = { mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1] }
    expect(Array.from(toModelPixels([255, 0, 51], 3, stats))).toEqual([1, -1, Math.fround(0.2)])
    expect(Array.from(toModelPixels([0, 255], 2, { mean: [0.5], std: [0.5] }))).toEqual([-1, 1])
    expect(standardise(0.5, 2, { mean: [0.5], std: [0.25] })).toBe(0)
    expect(BYTE_SCALE * 255).toBeCloseTo(1, 12)
  })

  it('applies a run\u2019s statistics only when it trained normalized', () => {
    expect(standardisationOf({ normalized: false, mean: [0.1], std: [0.3] })).toBeUndefined()
    expect(standardisationOf({ normalized: true, mean: [0.1], std: [0.3] })).toEqual({ mean: [0.1], std: [0.3] })
  })

  it('gives Predict exactly the numbers the training pipeline gave the model for the same image', () => {
    const bytes = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 37) % 256)
    const normalize = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.25] }
    const pipeline = new ImagePipeline({ height: 4, width: 4, fromChannels: 3, toChannels: 3, normalize })
    const trained = new Float32Array(bytes.length)
    pipeline.process(bytes, trained, 0)
    expect(Array.from(toModelPixels(bytes, 3, normalize))).toEqual(Array.from(trained))
  })
})
