import { TrainConfig, type RunStatus, type TrainConfigInput } from '../../shared/api/schemas'
import { LESSON_IDS, type Lesson, type LessonId, type LessonRunOutcome } from '../../shared/lessons/lessonTypes'

/**
 * Lessons shaped like the catalogue's (two runs differing in one setting; three seeds for the ensemble) with
 * small settings of their own: the verdicts and the lesson service are tested on these, so their tests do
 * not move when the catalogue's settings are tuned.
 */
const base: TrainConfigInput = { arch: 'lenet-relu', dataset: 'mnist', epochs: 3, batchSize: 64, learningRate: 0.05, limit: 2000 }
const pair = (id: LessonId, field: string, labels: [string, string], configs: [Partial<TrainConfigInput>, Partial<TrainConfigInput>]): Lesson => ({
  id,
  title: `Lesson ${id}`,
  concept: 'concept',
  quote: { section: 'Q&A', zh: '问题', en: 'question' },
  claim: 'claim',
  field,
  runs: labels.map((label, index) => ({ label, config: { ...base, ...configs[index] } })),
  lookNext: [],
})

export const TEST_LESSONS: Record<LessonId, Lesson> = {
  'sigmoid-vs-relu': pair('sigmoid-vs-relu', 'knobs.activation', ['sigmoid', 'ReLU'], [{ knobs: { activation: 'sigmoid' } }, { knobs: { activation: 'relu' } }]),
  'avg-vs-max-pooling': pair('avg-vs-max-pooling', 'knobs.pooling', ['average pooling', 'max pooling'], [{ knobs: { pooling: 'avg' } }, { knobs: { pooling: 'max' } }]),
  'batch-norm': pair('batch-norm', 'knobs.batchNorm', ['without BN', 'with BN'], [{ knobs: { batchNorm: false } }, { knobs: { batchNorm: true } }]),
  'resnet-shortcuts': pair('resnet-shortcuts', 'knobs.residual', ['plain', 'shortcuts'], [{ arch: 'resnet18', knobs: { residual: false } }, { arch: 'resnet18', knobs: { residual: true } }]),
  dropout: pair('dropout', 'knobs.dropout', ['without dropout', 'dropout 0.5'], [{ knobs: { dropout: 0 } }, { knobs: { dropout: 0.5 } }]),
  augmentation: pair('augmentation', 'augment', ['without', 'augmented'], [{}, { augment: { cropPadding: 2 } }]),
  shuffle: pair('shuffle', 'shuffle', ['sorted by class', 'shuffled'], [{ shuffle: false }, { shuffle: true }]),
  normalization: pair('normalization', 'normalize', ['raw [0,1]', 'normalized'], [{ normalize: 'none' }, { normalize: 'dataset' }]),
  'batch-size': pair('batch-size', 'batchSize', ['batch 16', 'batch 256'], [{ batchSize: 16 }, { batchSize: 256 }]),
  'one-by-one-conv': pair('one-by-one-conv', 'knobs.width', ['without 1x1', 'with 1x1'], [{ arch: 'googlenet', inputSize: 32, knobs: { width: 0.5 } }, { arch: 'googlenet', inputSize: 32, knobs: { width: 0.25 } }]),
  ensemble: {
    ...pair('ensemble', 'seed', ['seed 1', 'seed 2'], [{}, {}]),
    field: undefined,
    ensemble: true,
    runs: ['model 1', 'model 2', 'model 3'].map((label) => ({ label, config: base })),
  },
}
export const TEST_LESSON_LIST: Lesson[] = LESSON_IDS.map((id) => TEST_LESSONS[id])

/** A run of `lesson` as the outcome builder would leave it: test accuracies per epoch, train accuracies (evaluation mode). */
export function outcome(
  lesson: Lesson,
  index: number,
  test: number[],
  options: { train?: number[]; status?: RunStatus; seconds?: number; config?: Partial<TrainConfigInput>; trainMeasured?: 'evaluation' | 'training' } = {},
): LessonRunOutcome {
  const planned = lesson.runs[index]
  const config = TrainConfig.parse({ ...planned.config, seed: 1 + (lesson.ensemble ? index : 0), ...options.config })
  const epochs = test.map((testAccuracy, i) => ({
    epoch: i + 1,
    trainLoss: 1 - (options.train?.[i] ?? testAccuracy),
    trainAccuracy: options.train?.[i] ?? testAccuracy,
    testLoss: 1 - testAccuracy,
    testAccuracy,
    seconds: options.seconds ?? 2,
  }))
  return {
    label: planned.label,
    runId: `run-${index}`,
    config,
    status: options.status ?? 'completed',
    testAccuracy: test.at(-1),
    trainAccuracy: epochs.at(-1)?.trainAccuracy,
    epochs,
    trainMeasured: options.trainMeasured ?? 'evaluation',
    trainImages: 2000,
    testImages: 10000,
    classes: 10,
    channels: 1,
  }
}
