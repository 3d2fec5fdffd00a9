import { describe, expect, it } from 'vitest'
import { labelFromPath, scoreSet } from '../../../../renderer/src/logic/predictScore'

const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

describe('labelFromPath', () => {
  it.each([
    ['7_photo.png', '7'],
    ['7.png', '7'],
    ['3-scan.jpeg', '3'],
    ['0 marker.jpg', '0'],
    ['digits/4/IMG_0001.jpg', '4'],
    ['digits\\4\\IMG_0001.jpg', '4'],
    // The folder wins over the name: a class folder is the stronger statement.
    ['sorted/2/7_photo.png', '2'],
    // A folder that is not a class falls back to the name.
    ['photos/9_a.png', '9'],
  ])('%s is a %s', (path, label) => {
    expect(labelFromPath(path, digits)).toBe(label)
  })

  it.each(['photo.png', '17_photo.png', 'IMG_7.png', '', 'seven.png'])('%s names no class', (path) => {
    expect(labelFromPath(path, digits)).toBeNull()
  })

  it('matches class names without regard to case', () => {
    expect(labelFromPath('Cat_01.jpg', ['airplane', 'cat'])).toBe('cat')
    expect(labelFromPath('pets/CAT/x.jpg', ['airplane', 'cat'])).toBe('cat')
  })
})

describe('scoreSet', () => {
  it('counts accuracy over labelled answers and fills the confusion matrix truth by prediction', () => {
    const score = scoreSet(
      [
        { truth: '7', predicted: '7' },
        { truth: '7', predicted: '1' },
        { truth: '1', predicted: '1' },
        { truth: null, predicted: '3' },
        { truth: '2', predicted: null },
      ],
      digits,
    )
    expect(score).toMatchObject({ answered: 4, labelled: 3, correct: 2 })
    expect(score.accuracy).toBeCloseTo(2 / 3)
    expect(score.confusion.classes).toEqual(['1', '7'])
    expect(score.confusion.counts).toEqual([
      [1, 0],
      [1, 1],
    ])
    expect(score.predictedCounts).toEqual([
      { label: '1', count: 2 },
      { label: '3', count: 1 },
      { label: '7', count: 1 },
    ])
  })

  it('has no accuracy without labels, and keeps a label outside the class list', () => {
    expect(scoreSet([{ truth: null, predicted: '4' }], digits)).toMatchObject({ labelled: 0, accuracy: null, confusion: { classes: [], counts: [] } })
    const odd = scoreSet([{ truth: 'x', predicted: '4' }], digits)
    expect(odd.confusion.classes).toEqual(['4', 'x'])
    expect(odd.confusion.counts).toEqual([
      [0, 0],
      [1, 0],
    ])
  })
})
