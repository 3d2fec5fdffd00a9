import { RUN_STATUS_INFO } from '../api/schemas'
import { LESSON_CLAIMS } from './lessonClaims'
import type { Lesson, LessonRunOutcome, LessonVerdict } from './lessonTypes'
import { formatConfigValue, percent } from './verdictText'

/**
 * Whether a lesson showed in the user's own runs, and what happened in numbers. The claim itself is tested
 * only once every run has trained all its epochs on the lesson's settings; before that the verdict says
 * what it waits for (pending), which run did not finish (incomplete) or which setting no longer matches
 * the lesson (changed), and claims nothing.
 */
export function lessonVerdict(lesson: Lesson, runs: LessonRunOutcome[], ensemble?: { testAccuracy: number }): LessonVerdict {
  const ordered = lesson.runs.map((planned, index) => runs.find((run) => run.label === planned.label) ?? runs[index])
  const missing = lesson.runs.filter((_, index) => !ordered[index])
  if (missing.length) return { holds: false, reason: 'incomplete', text: `The ${names(missing.map((run) => run.label))} run${missing.length > 1 ? 's are' : ' is'} missing from this attempt (deleted?): start the lesson again.` }
  const present = ordered as LessonRunOutcome[]
  const unfinished = present.filter((run) => !RUN_STATUS_INFO[run.status].active && run.status !== 'completed')
  if (unfinished.length) {
    return {
      holds: false,
      reason: 'incomplete',
      text: `The lesson needs every run to train all its epochs: ${unfinished.map(describeUnfinished).join('; ')}. Resume ${unfinished.length > 1 ? 'them' : 'it'} from the last checkpoint, or start the lesson again, to see the verdict.`,
    }
  }
  const active = present.filter((run) => RUN_STATUS_INFO[run.status].active)
  if (active.length) return { holds: false, reason: 'pending', text: `Waiting for the runs: ${present.map(describeProgress).join(', ')}.` }
  const changes = groupChanges(present.flatMap((run, index) => configChanges(lesson.runs[index].config, run)))
  if (changes.length) {
    return { holds: false, reason: 'changed', text: `These runs were not trained on the lesson's settings: ${changes.join('; ')}. The claim is tested on the lesson's settings only${lesson.field ? ` (they differ in ${lesson.field} alone)` : ''}, so this attempt claims nothing.` }
  }
  const notTrained = present.find((run) => !run.epochs.length)
  if (notTrained) return { holds: false, reason: 'incomplete', text: `The ${notTrained.label} run completed without recording an epoch; start the lesson again.` }
  return LESSON_CLAIMS[lesson.id]({ lesson, runs: present, ensemble })
}

function names(labels: string[]): string {
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : labels[0]
}

function describeUnfinished(run: LessonRunOutcome): string {
  const done = `after epoch ${run.epochs.length} of ${run.config.epochs}`
  switch (run.status) {
    case 'failed':
      return `the ${run.label} run failed ${done}${run.error ? ` (${run.error})` : ''}`
    case 'stopped':
      return `the ${run.label} run was stopped ${done}`
    case 'cancelled':
      return `the ${run.label} run was cancelled ${done}`
    default:
      return `the ${run.label} run was interrupted ${done}${run.error ? ` (${run.error})` : ''}`
  }
}

function describeProgress(run: LessonRunOutcome): string {
  if (run.status === 'queued' && !run.epochs.length) return `${run.label} queued`
  if (run.status === 'completed') return `${run.label} done (${percent(run.testAccuracy ?? 0)})`
  const last = run.epochs.at(-1)
  return `${run.label} ${run.status === 'paused' ? 'paused ' : ''}at epoch ${run.epochs.length} of ${run.config.epochs}${last ? ` (${percent(last.testAccuracy)})` : ''}`
}

interface ConfigChange {
  label: string
  path: string
  actual: string
  expected: string
}

/** One phrase per change, naming every run it applies to (`the sigmoid and ReLU runs have epochs 1 instead of 3`). */
function groupChanges(changes: ConfigChange[]): string[] {
  const groups = new Map<string, ConfigChange[]>()
  for (const change of changes) {
    const key = JSON.stringify([change.path, change.actual, change.expected])
    groups.set(key, [...(groups.get(key) ?? []), change])
  }
  return [...groups.values()].map((group) => {
    const { path, actual, expected } = group[0]
    return `the ${names(group.map((change) => change.label))} run${group.length > 1 ? 's have' : ' has'} ${path} ${actual} instead of ${expected}`
  })
}

/**
 * The settings the lesson gave a run that the stored run no longer has (it was resumed or edited with
 * other ones). Only what the lesson set is compared, the seed excepted: the attempt chooses it.
 */
export function configChanges(planned: object, run: LessonRunOutcome): ConfigChange[] {
  const changes: ConfigChange[] = []
  const compare = (expected: unknown, actual: unknown, path: string): void => {
    if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
      for (const [key, value] of Object.entries(expected)) compare(value, (actual as Record<string, unknown> | undefined)?.[key], path ? `${path}.${key}` : key)
      return
    }
    if (expected === undefined || JSON.stringify(expected) === JSON.stringify(actual)) return
    changes.push({ label: run.label, path, actual: formatConfigValue(actual), expected: formatConfigValue(expected) })
  }
  const { seed: _seed, ...settings } = planned as Record<string, unknown>
  compare(settings, run.config, '')
  return changes
}
