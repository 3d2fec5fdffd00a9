import { describe, expect, it } from 'vitest'
import { averageProbabilities, argMax } from '../../../../shared/ensemble'
import { ensembleOfCells, ensembleRefusal, ensembleTop, probabilityVector, topKFor } from '../../../../renderer/src/logic/ensemblePredict'

const classes = ['cat', 'dog', 'fox']
const top = (probabilities: number[]) => ({ top: probabilities.map((probability, classIndex) => ({ classIndex, label: classes[classIndex]!, probability })) })

describe('averageProbabilities', () => {
  it('is the element-wise mean, and its argmax can be a class no single model ranks first', () => {
    const average = averageProbabilities([
      [0.5, 0.0, 0.5],
      [0.45, 0.1, 0.45],
      [0.0, 0.6, 0.4],
    ])
    expect(average.map((p) => Number(p.toFixed(4)))).toEqual([0.3167, 0.2333, 0.45])
    expect(argMax(average)).toBe(2)
  })

  it('refuses models over different classes, and no models at all, in one line', () => {
    expect(() => averageProbabilities([[0.5, 0.5], [0.2, 0.3, 0.5]])).toThrow(/differ in length \(2, 3\)/)
    expect(() => averageProbabilities([])).toThrow(/at least one model/)
  })
})

describe('the ensemble entry of Predict', () => {
  it('is offered for two or more models over the same classes, in the same order', () => {
    expect(ensembleRefusal([{ classNames: classes }])).toMatch(/two or more/)
    expect(ensembleRefusal([{ classNames: classes }, { classNames: classes }])).toBeNull()
    expect(ensembleRefusal([{ classNames: classes }, { classNames: ['dog', 'cat', 'fox'] }])).toMatch(/different classes/)
    expect(ensembleRefusal([{ classNames: classes }, { classNames: ['cat', 'dog'] }])).toMatch(/different classes/)
    const many = Array.from({ length: 21 }, (_, i) => `c${i}`)
    expect(ensembleRefusal([{ classNames: many }, { classNames: many }])).toMatch(/21 classes/)
  })

  it('asks each model for every class (at most 20), never fewer than it shows', () => {
    expect(topKFor({ classNames: classes }, 5)).toBe(5)
    expect(topKFor({ classNames: Array.from({ length: 10 }, String) }, 5)).toBe(10)
    expect(topKFor({ classNames: Array.from({ length: 100 }, String) }, 5)).toBe(20)
  })

  it('places a top-k answer in a full vector, missing classes at 0', () => {
    expect(probabilityVector({ top: [{ classIndex: 2, label: 'fox', probability: 0.7 }] }, 3)).toEqual([0, 0, 0.7])
  })

  it('ranks by the averaged probabilities, best first', () => {
    const ranking = ensembleTop([top([0.5, 0.0, 0.5]), top([0.45, 0.1, 0.45]), top([0.0, 0.6, 0.4])], classes)!
    expect(ranking.map((entry) => entry.label)).toEqual(['fox', 'cat', 'dog'])
    expect(ranking[0]!.probability).toBeCloseTo(0.45)
  })

  it('waits until every model has answered the image', () => {
    const runs = [
      { runId: 'a', classNames: classes },
      { runId: 'b', classNames: classes },
    ]
    expect(ensembleOfCells({ a: { prediction: top([0.1, 0.8, 0.1]) } }, runs)).toBeNull()
    expect(ensembleOfCells({ a: { prediction: top([0.1, 0.8, 0.1]) }, b: { prediction: top([0.2, 0.2, 0.6]) } }, runs)![0]!.label).toBe('dog')
    expect(ensembleOfCells({ a: { prediction: top([0.1, 0.8, 0.1]) }, b: {} }, runs)).toBeNull()
  })
})
