/**
 * Lessons: the course notes' Q&A answered by the user's own runs. A lesson is the notes' sentence it
 * answers, two or more run configs that differ in exactly one setting, and a claim that is tested on the
 * finished runs' metrics (the verdict), never written in advance. The catalogue (`lessonCatalog.ts`) and
 * the verdicts (`lessonVerdicts.ts`) are pure, so the CLI, the server and the Lessons page share them.
 */
import type { TrainConfigInput } from '../api/schemas'
import type { LessonId } from '../api/lessons'

// The schemas live in shared/api (the contract uses them); every lesson type is reachable from here.
export { LESSON_IDS, LessonId, LessonEpoch, LessonRunOutcome, LessonVerdict, LessonAttempt } from '../api/lessons'

/** The notes' sentence a lesson answers, as written (Chinese) and in English. */
export interface NotesQuote {
  /** Where in the notes: `Q&A 6`, `LeNet`, `Batch Normalization`, ... */
  section: string
  zh: string
  en: string
}

/** Where in the app to look next (Models view for 1x1 and shortcut shapes, Inspect for pooling maps). */
export interface LessonPointer {
  view: 'models' | 'inspect' | 'compare' | 'predict' | 'data'
  text: string
}

export interface LessonRun {
  /** What this run stands for (`sigmoid`, `ReLU`, `shortcuts`, ...); unique within the lesson. */
  label: string
  config: TrainConfigInput
}

export interface Lesson {
  id: LessonId
  title: string
  /** The concept in two or three plain sentences, shown before the runs. */
  concept: string
  quote: NotesQuote
  /** The claim the verdict tests, in words (`ReLU is ahead after epoch 1 and ends at least as high`). */
  claim: string
  /** The one config field (dotted path) that differs between the runs; absent for the ensemble (same settings, other seeds). */
  field?: string
  /** `runs[0]` is the baseline the notes improve on, the last run the improvement. */
  runs: LessonRun[]
  /** The ensemble lesson: the runs' averaged probabilities are evaluated on the test split too. */
  ensemble?: boolean
  lookNext: LessonPointer[]
}

