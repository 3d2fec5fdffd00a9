import { describe, expect, it } from 'vitest'
import { TrainConfig, type TrainConfigInput } from '../../../../shared/api/schemas'
import { LESSONS } from '../../../../shared/lessons/lessonCatalog'
import { LESSON_IDS, type Lesson, type LessonRunOutcome } from '../../../../shared/lessons/lessonTypes'
import { attemptActive, differingSettingName, runProgressLine, runSettings, settingWords, verdictHeading, verdictTone } from '../../../../renderer/src/logic/lessonCard'

const base: TrainConfigInput = { arch: 'lenet5', dataset: 'fashion-mnist', epochs: 3, batchSize: 64, learningRate: 0.05, limit: 4000 }
/** A stand-in for the catalogue's lessons: the card only reads `field` and the runs' configs. */
const stub = (field: string | undefined, runs: [string, TrainConfigInput][]): Pick<Lesson, 'field' | 'runs'> => ({ field, runs: runs.map(([label, config]) => ({ label, config })) })

describe('a lesson card says what differs in words', () => {
  it('names the activation, not knobs.activation', () => {
    const lesson = stub('knobs.activation', [['sigmoid', { ...base, knobs: { activation: 'sigmoid' } }], ['ReLU', { ...base, knobs: { activation: 'relu' } }]])
    expect(differingSettingName(lesson)).toBe('the activation')
    expect(runSettings(lesson)).toEqual([
      { label: 'sigmoid', setting: 'sigmoid activations' },
      { label: 'ReLU', setting: 'ReLU activations' },
    ])
  })

  it('describes an absent augmentation and a crop + flip', () => {
    const lesson = stub('augment', [['none', base], ['crop + flip', { ...base, augment: { cropPadding: 3, flip: true } }]])
    expect(runSettings(lesson).map((run) => run.setting)).toEqual(['the images as they are', 'random crop (padded 3 px) + horizontal flip'])
  })

  it('tells the class-sorted order from shuffling, and raw pixels from normalized ones', () => {
    expect(settingWords('shuffle', 'class-sorted')).toMatch(/sorted by class/)
    expect(settingWords('shuffle', true)).toBe('shuffled every epoch')
    expect(settingWords('normalize', 'none')).toBe('raw pixels in [0, 1]')
    expect(settingWords('normalize', 'dataset')).toMatch(/mean and standard deviation/)
    expect(settingWords('knobs.dropout', 0)).toBe('no dropout')
    expect(settingWords('knobs.dropout', 0.5)).toMatch(/50% of the dense units/)
    expect(settingWords('knobs.residual', false)).toMatch(/plain stack/)
    expect(settingWords('knobs.reductions', true)).toMatch(/1x1/)
  })

  it('says how many steps an epoch takes at each batch size', () => {
    const lesson = stub('batchSize', [['small', { ...base, batchSize: 16 }], ['large', { ...base, batchSize: 256 }]])
    expect(runSettings(lesson).map((run) => run.setting)).toEqual(['16 images per batch (250 steps per epoch of 4000 images)', '256 images per batch (16 steps per epoch of 4000 images)'])
  })

  it('reads the seeds of a lesson without a field (the ensemble)', () => {
    const lesson = stub(undefined, [1, 2, 3].map((seed) => [`model ${seed}`, { ...base, seed }] as [string, TrainConfigInput]))
    expect(differingSettingName(lesson)).toBe('the random start (seed)')
    expect(runSettings(lesson).map((run) => run.setting)).toEqual(['seed 1', 'seed 2', 'seed 3'])
  })

  it('falls back to name: value for a setting it does not know, never nothing', () => {
    expect(settingWords('knobs.future', true)).toBe('future: true')
  })
})

describe('every lesson of the catalogue', () => {
  it('has its varied setting named in words, and different words for each run', () => {
    expect(LESSONS.map((lesson) => lesson.id)).toEqual([...LESSON_IDS])
    for (const lesson of LESSONS) {
      const settings = runSettings(lesson).map((run) => run.setting)
      for (const setting of settings) expect(setting, lesson.id).not.toMatch(/^[a-zA-Z.]+: /)
      expect(new Set(settings).size, lesson.id).toBe(lesson.runs.length)
      expect(differingSettingName(lesson), lesson.id).not.toMatch(/\./)
    }
  })
})

describe('verdicts and progress', () => {
  it('tones: holds green, pending neutral, anything else not held', () => {
    expect(verdictTone({ holds: true, reason: 'holds' })).toBe('holds')
    expect(verdictTone({ holds: false, reason: 'pending' })).toBe('pending')
    for (const reason of ['incomplete', 'changed', 'noise', 'opposite'] as const) expect(verdictTone({ holds: false, reason })).toBe('fails')
    expect(verdictHeading({ holds: false, reason: 'incomplete' })).toMatch(/did not finish/)
    expect(verdictHeading({ holds: false, reason: 'opposite' })).toBe('Does not hold')
  })

  const outcome = (extra: Partial<LessonRunOutcome>): LessonRunOutcome => ({
    label: 'ReLU',
    runId: 'run-1',
    config: TrainConfig.parse(base),
    status: 'running',
    epochs: [],
    ...extra,
  })

  it('a run line says the epoch and the accuracies so far', () => {
    expect(runProgressLine(outcome({ status: 'queued' }))).toBe('waiting for a free slot')
    const epoch = { epoch: 2, trainLoss: 0.4, trainAccuracy: 0.84, testLoss: 0.5, testAccuracy: 0.812 }
    expect(runProgressLine(outcome({ epochs: [{ ...epoch, epoch: 1 }, epoch] }))).toBe('epoch 2 of 3 · test 81.2% · train 84.0%')
    expect(runProgressLine(outcome({ status: 'completed', epochs: [epoch], testAccuracy: 0.83, trainAccuracy: 0.9 }))).toBe('epoch 2 of 3 · test 83.0% · train 90.0%')
  })

  it('an attempt is active while any run is queued, running or paused', () => {
    expect(attemptActive(undefined)).toBe(false)
    expect(attemptActive({ runs: [outcome({ status: 'completed' }), outcome({ status: 'paused' })] })).toBe(true)
    expect(attemptActive({ runs: [outcome({ status: 'completed' }), outcome({ status: 'failed' })] })).toBe(false)
  })
})
