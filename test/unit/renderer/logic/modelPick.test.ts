import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../../../../shared/api/schemas'
import { bestRun, inputFit, isGrayPixels, keepOrPick, type ImageProfile } from '../../../../renderer/src/logic/modelPick'
import { agreementOf } from '../../../../renderer/src/components/predict/predictTypes'

/** A trained run on a balanced 10-class test split of 1,000 images, with the input shape [h, w, c]. */
function run(runId: string, testAccuracy: number, shape: [number, number, number] = [28, 28, 1], status: RunSummary['status'] = 'completed'): RunSummary {
  const right = Math.round(testAccuracy * 100)
  const confusionMatrix = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? right : j === (i + 1) % 10 ? 100 - right : 0)))
  return {
    runId,
    status,
    createdAt: '2025-01-01T00:00:00Z',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    config: { arch: 'lenet-relu', dataset: shape[2] === 1 ? 'mnist' : 'cifar10' } as RunSummary['config'],
    result: { trainLoss: 1, trainAccuracy: testAccuracy, testLoss: 1, testAccuracy, samplesPerSecond: 1, trainSeconds: 1, params: 1, confusionMatrix },
    data: { imageShape: shape, train: 100, validation: 0, test: 1000, mean: [0], std: [1], normalized: false, skipped: 0 },
  }
}
const digitPhoto: ImageProfile = { width: 640, height: 480, gray: true }
const colourPhoto: ImageProfile = { width: 640, height: 480, gray: false }

describe('Predict picks a model', () => {
  // Newest first, as the run list is: the newest never learned (LeNet-5 at lr 1e6, 9.6%).
  const stuck = run('stuck', 0.096)
  const mnist = run('mnist', 0.97)
  const weaker = run('weaker', 0.9)
  const cifar = run('cifar', 0.6, [32, 32, 3])
  const runs = [stuck, cifar, weaker, mnist]

  it('never a run that did not learn, even the newest; the most accurate one otherwise', () => {
    expect(bestRun(runs)?.runId).toBe('mnist')
    expect(bestRun([stuck])).toBeUndefined()
    expect(keepOrPick([], false, [stuck])).toEqual([])
  })

  it('a digit photo gets a 1-channel model, a colour photo a 3-channel one', () => {
    expect(bestRun(runs, [digitPhoto])?.runId).toBe('mnist')
    expect(bestRun(runs, [colourPhoto])?.runId).toBe('cifar')
    // No 3-channel model: the best one that learned, rather than none.
    expect(bestRun([stuck, mnist], [colourPhoto])?.runId).toBe('mnist')
  })

  it('an image of exactly a model\u2019s input size prefers that model', () => {
    const fashion32 = run('gray32', 0.99, [32, 32, 1])
    const image28: ImageProfile = { width: 28, height: 28, gray: true }
    expect(inputFit(mnist, [image28])).toBe(2)
    expect(inputFit(fashion32, [image28])).toBe(1)
    expect(bestRun([fashion32, mnist], [image28])?.runId).toBe('mnist')
  })

  it('keeps a hand-made choice, even a did-not-learn run; an automatic one follows the images', () => {
    expect(keepOrPick(['stuck'], true, runs, [colourPhoto])).toEqual(['stuck'])
    expect(keepOrPick(['stuck'], false, runs, [colourPhoto])).toEqual(['cifar'])
    expect(keepOrPick(['gone'], true, runs)).toEqual(['mnist'])
  })

  it('tells ink on paper (grey, a warm cast) from a colour photo', () => {
    const pixels = (rgb: (i: number) => [number, number, number]) => Uint8ClampedArray.from({ length: 400 }, (_, k) => (k % 4 === 3 ? 255 : rgb(k >> 2)[k % 4]!))
    expect(isGrayPixels(pixels((i) => (i % 7 ? [235, 225, 205] : [30, 28, 25])))).toBe(true)
    expect(isGrayPixels(pixels((i) => (i % 2 ? [200, 60, 40] : [40, 120, 200])))).toBe(false)
  })
})

describe('agreement of several models', () => {
  it('says whether they agree on the right or on the wrong answer when the label is known', () => {
    expect(agreementOf(['7', '7'], '7')).toBe('agree-right')
    expect(agreementOf(['1', '1'], '7')).toBe('agree-wrong')
    expect(agreementOf(['1', '1'], null)).toBe('agree')
    expect(agreementOf(['1', '7'], '7')).toBe('differ')
    expect(agreementOf(['1', undefined], '7')).toBeNull()
    expect(agreementOf(['1'], '1')).toBeNull()
  })
})
