import { describe, expect, it } from 'vitest'
import { lessonVerdict } from '../../../../shared/lessons/lessonVerdicts'
import { LESSON_IDS, type LessonId, type LessonRunOutcome, type LessonVerdict } from '../../../../shared/lessons/lessonTypes'
import { outcome, TEST_LESSONS } from '../../../helpers/lessonFixtures'

type Runs = (id: LessonId) => LessonRunOutcome[]
interface Case {
  runs: Runs
  ensemble?: number
  reason: LessonVerdict['reason']
  /** Figures and words the text must hold. */
  says: string[]
}

const L = TEST_LESSONS
/** Two runs of a lesson from per-epoch test accuracies (and train accuracies where the claim reads the gap). */
const two =
  (a: number[], b: number[], trainA?: number[], trainB?: number[]): Runs =>
  (id) => [outcome(L[id], 0, a, { train: trainA }), outcome(L[id], 1, b, { train: trainB })]
const three = (accuracies: number[]): Runs => (id) => accuracies.map((accuracy, index) => outcome(L[id], index, [accuracy - 0.05, accuracy]))

/** For each lesson: metrics where its claim shows, and where it does not (reversed or within noise). */
const CASES: Record<LessonId, { holds: Case; fails: Case[] }> = {
  'sigmoid-vs-relu': {
    holds: { runs: two([0.34, 0.8, 0.9], [0.81, 0.95, 0.97]), reason: 'holds', says: ['ReLU: 81.0% after epoch 1, sigmoid 34.0%', 'ReLU 97.0%, sigmoid 90.0%', 'gradient'] },
    fails: [
      { runs: two([0.6, 0.8, 0.9], [0.3, 0.5, 0.6]), reason: 'opposite', says: ['ReLU: 30.0% after epoch 1, sigmoid 60.0%', 'opposite'] },
      { runs: two([0.805, 0.9, 0.95], [0.81, 0.9, 0.95]), reason: 'noise', says: ['0.5 points apart', '1.0 point', '10,000 test images'] },
      { runs: two([0.3, 0.9, 0.97], [0.8, 0.9, 0.9]), reason: 'opposite', says: ['ended 7.0 points lower'] },
    ],
  },
  'avg-vs-max-pooling': {
    holds: { runs: two([0.9, 0.95, 0.971], [0.92, 0.96, 0.98]), reason: 'holds', says: ['average pooling 97.1%, max pooling 98.0%', 'both learn', 'within', 'Inspect'] },
    fails: [{ runs: two([0.1, 0.11, 0.12], [0.92, 0.96, 0.98]), reason: 'opposite', says: ['average pooling stayed near chance (10.0%)'] }],
  },
  'batch-norm': {
    holds: { runs: two([0.5, 0.8, 0.9], [0.85, 0.9, 0.95]), reason: 'holds', says: ['with BN: 85.0% after epoch 1, without BN 50.0%'] },
    fails: [
      { runs: two([0.85, 0.9, 0.95], [0.5, 0.8, 0.9]), reason: 'opposite', says: ['with BN: 50.0% after epoch 1', 'opposite'] },
      { runs: two([0.85, 0.9, 0.95], [0.855, 0.9, 0.95]), reason: 'noise', says: ['0.5 points apart'] },
    ],
  },
  'resnet-shortcuts': {
    holds: { runs: two([0.4, 0.6, 0.7], [0.6, 0.8, 0.9], [0.4, 0.6, 0.72], [0.6, 0.85, 0.93]), reason: 'holds', says: ['After 3 epochs shortcuts: train 93.0%, test 90.0%; plain: train 72.0%, test 70.0%', 'degradation'] },
    fails: [
      { runs: two([0.6, 0.8, 0.9], [0.6, 0.8, 0.9], [0.6, 0.8, 0.95], [0.6, 0.8, 0.955]), reason: 'noise', says: ['training accuracies are 0.5 points apart', 'within'] },
      { runs: two([0.6, 0.8, 0.9], [0.6, 0.7, 0.8], [0.6, 0.8, 0.95], [0.6, 0.7, 0.85]), reason: 'opposite', says: ['the plain stack fits its training images better'] },
      { runs: two([0.6, 0.8, 0.9], [0.6, 0.7, 0.85], [0.6, 0.8, 0.9], [0.6, 0.7, 0.99]), reason: 'opposite', says: ['5.0 points behind on the test images'] },
    ],
  },
  dropout: {
    holds: { runs: two([0.9, 0.95, 0.96], [0.9, 0.95, 0.97], [0.95, 0.99, 1], [0.93, 0.97, 0.98]), reason: 'holds', says: ['dropout 0.5: train 98.0%, test 97.0%, a gap of 1.0 point', 'without dropout: train 100.0%, test 96.0%, a gap of 4.0 points'] },
    fails: [
      { runs: two([0.9, 0.95, 0.96], [0.9, 0.95, 0.96], [0.95, 0.99, 0.98], [0.95, 0.99, 1]), reason: 'opposite', says: ['wider with dropout 0.5'] },
      { runs: two([0.9, 0.95, 0.96], [0.9, 0.95, 0.96], [0.95, 0.99, 0.98], [0.95, 0.99, 0.975]), reason: 'noise', says: ['differ by 0.5 points'] },
    ],
  },
  augmentation: {
    holds: { runs: two([0.8, 0.85, 0.86], [0.8, 0.86, 0.9], [0.9, 0.99, 1], [0.85, 0.9, 0.92]), reason: 'holds', says: ['augmented: train 92.0%, test 90.0%, a gap of 2.0 points', 'a gap of 14.0 points'] },
    fails: [{ runs: two([0.8, 0.85, 0.86], [0.8, 0.85, 0.86], [0.9, 0.99, 0.9], [0.9, 0.99, 1]), reason: 'opposite', says: ['wider with augmented'] }],
  },
  shuffle: {
    holds: { runs: two([0.1, 0.2, 0.3], [0.8, 0.9, 0.95]), reason: 'holds', says: ['shuffled reaches 95.0%', 'sorted by class 30.0%'] },
    fails: [
      { runs: two([0.8, 0.85, 0.9], [0.8, 0.9, 0.95]), reason: 'noise', says: ['only 5.0 points apart', 'less than the 10.0 points'] },
      { runs: two([0.8, 0.9, 0.95], [0.1, 0.2, 0.3]), reason: 'opposite', says: ['sorted by class ended ahead'] },
    ],
  },
  normalization: {
    holds: { runs: two([0.6, 0.9, 0.95], [0.85, 0.92, 0.96]), reason: 'holds', says: ['normalized: 85.0% after epoch 1, raw [0,1] 60.0%'] },
    fails: [{ runs: two([0.85, 0.9, 0.95], [0.6, 0.92, 0.96]), reason: 'opposite', says: ['raw [0,1] was ahead after epoch 1'] }],
  },
  'batch-size': {
    holds: {
      runs: (id) => [outcome(L[id], 0, [0.9, 0.95, 0.97], { seconds: 12 }), outcome(L[id], 1, [0.6, 0.8, 0.9], { seconds: 4 })],
      reason: 'holds',
      says: ['batch 16: 125 iterations per epoch, 12 s per epoch, test accuracy per epoch 90.0% → 95.0% → 97.0%', 'batch 256: 8 iterations per epoch, 4.0 s per epoch'],
    },
    fails: [{ runs: two([0.9, 0.95, 0.97], [0.1, 0.1, 0.1]), reason: 'opposite', says: ['batch 256 stayed near chance'] }],
  },
  'one-by-one-conv': {
    holds: { runs: two([0.8, 0.9, 0.95], [0.8, 0.9, 0.91]), reason: 'holds', says: ['fewer parameters', 'fewer multiply-adds', 'with 1x1:', 'test 91.0%', 'within 5.0 points'] },
    fails: [{ runs: two([0.8, 0.9, 0.95], [0.5, 0.6, 0.89]), reason: 'opposite', says: ['6.0 points less accurate', 'than the 5.0 points'] }],
  },
  ensemble: {
    holds: { runs: three([0.95, 0.96, 0.955]), ensemble: 0.97, reason: 'holds', says: ['Ensemble of 3 (averaged probabilities): 97.0%', 'model 2 96.0%', '1.0 point above the best single model (model 2)'] },
    fails: [
      { runs: three([0.95, 0.96, 0.955]), ensemble: 0.9, reason: 'opposite', says: ['6.0 points below the best single model (model 2)'] },
      { runs: three([0.95, 0.96, 0.955]), ensemble: 0.955, reason: 'noise', says: ['0.5 points below', 'within'] },
      { runs: three([0.95, 0.96, 0.955]), reason: 'pending', says: ['being evaluated', 'model 1 95.0%'] },
    ],
  },
}

const judge = (id: LessonId, test: Case) => lessonVerdict(L[id], test.runs(id), test.ensemble === undefined ? undefined : { testAccuracy: test.ensemble })

describe.each(LESSON_IDS)('verdict of %s', (id) => {
  it('claims the lesson when its metrics show it, with the numbers', () => {
    const verdict = judge(id, CASES[id].holds)
    expect(verdict.reason, verdict.text).toBe('holds')
    expect(verdict.holds).toBe(true)
    for (const phrase of CASES[id].holds.says) expect(verdict.text).toContain(phrase)
  })

  it.each(CASES[id].fails.map((test) => [test.reason, test] as const))('does not claim it when %s', (reason, test) => {
    const verdict = judge(id, test)
    expect(verdict.reason, verdict.text).toBe(reason)
    expect(verdict.holds).toBe(false)
    for (const phrase of test.says) expect(verdict.text).toContain(phrase)
  })

  it('says which run failed or was stopped, and claims nothing', () => {
    const runs = CASES[id].holds.runs(id)
    const last = runs.length - 1
    runs[last] = { ...runs[last], status: 'stopped', epochs: runs[last].epochs.slice(0, 1) }
    const stopped = lessonVerdict(L[id], runs, { testAccuracy: 0.99 })
    expect(stopped).toMatchObject({ holds: false, reason: 'incomplete' })
    expect(stopped.text).toContain(`the ${runs[last].label} run was stopped after epoch 1 of 3`)

    runs[0] = { ...runs[0], status: 'failed', error: 'the loss became NaN', epochs: [] }
    const failed = lessonVerdict(L[id], runs, { testAccuracy: 0.99 })
    expect(failed).toMatchObject({ holds: false, reason: 'incomplete' })
    expect(failed.text).toContain(`the ${runs[0].label} run failed after epoch 0 of 3 (the loss became NaN)`)
  })
})

describe('verdict before the claim can be tested', () => {
  const lesson = L['sigmoid-vs-relu']
  it('waits while a run trains or is queued', () => {
    const verdict = lessonVerdict(lesson, [outcome(lesson, 0, [0.3], { status: 'running' }), outcome(lesson, 1, [], { status: 'queued' })])
    expect(verdict).toMatchObject({ holds: false, reason: 'pending' })
    expect(verdict.text).toBe('Waiting for the runs: sigmoid at epoch 1 of 3 (30.0%), ReLU queued.')
  })

  it('refuses a run resumed or changed to other settings than the lesson gave it', () => {
    const runs = [outcome(lesson, 0, [0.3, 0.8, 0.9]), outcome(lesson, 1, [0.81, 0.95, 0.97], { config: { learningRate: 0.5 } })]
    const verdict = lessonVerdict(lesson, runs)
    expect(verdict).toMatchObject({ holds: false, reason: 'changed' })
    expect(verdict.text).toContain('the ReLU run has learningRate 0.5 instead of 0.05')
    expect(verdict.text).toContain("tested on the lesson's settings only (they differ in knobs.activation alone), so this attempt claims nothing")
  })

  it('names every run a change applies to once (a capped attempt)', () => {
    const runs = [0, 1].map((index) => outcome(lesson, index, [0.3 + index / 2], { config: { epochs: 1 } }))
    expect(lessonVerdict(lesson, runs).text).toContain('the sigmoid and ReLU runs have epochs 1 instead of 3.')
  })

  it('says when a gap rests on training-mode train accuracy', () => {
    const id = 'dropout'
    const runs = CASES[id].holds.runs(id).map((run) => ({ ...run, trainMeasured: 'training' as const }))
    expect(lessonVerdict(L[id], runs).text).toContain('not measured in evaluation mode')
  })

  it('says when the 1x1 reductions did not make the network smaller', () => {
    const planned = L['one-by-one-conv']
    const swapped = { ...planned, runs: [{ ...planned.runs[0], config: planned.runs[1].config }, { ...planned.runs[1], config: planned.runs[0].config }] }
    const verdict = lessonVerdict(swapped, [outcome(swapped, 0, [0.8, 0.9, 0.95]), outcome(swapped, 1, [0.8, 0.9, 0.95])])
    expect(verdict).toMatchObject({ holds: false, reason: 'opposite' })
    expect(verdict.text).toContain('did not make the network smaller')
  })

  it('says when the baseline has not left chance level', () => {
    const verdict = lessonVerdict(lesson, two([0.1, 0.1, 0.1], [0.67, 0.7, 0.71])('sigmoid-vs-relu'))
    expect(verdict.reason).toBe('holds')
    expect(verdict.text).toContain('(sigmoid is still at chance level, 10.0%, after 3 epochs: it has not started learning yet)')
  })

  it('uses a wider noise margin on a small test split', () => {
    const runs = two([0.3, 0.8, 0.9], [0.32, 0.95, 0.97])('sigmoid-vs-relu').map((run) => ({ ...run, testImages: 1000 }))
    const verdict = lessonVerdict(lesson, runs)
    expect(verdict.reason).toBe('noise')
    expect(verdict.text).toContain('within the 3.0 points that 1,000 test images can differ by chance')
  })
})
