import { InvalidArgumentError, type Command } from 'commander'
import cliProgress from 'cli-progress'
import type { EventOf } from '../../shared/api/contract'
import { getLesson, LESSONS } from '../../shared/lessons/lessonCatalog'
import { LESSON_IDS, type Lesson, type LessonAttempt } from '../../shared/lessons/lessonTypes'
import { dispatchApiCall } from '../services/apiDispatcher'
import { attemptSettled } from '../services/lessonService'
import type { Workbench } from '../services/workbench'

interface ExperimentFlags {
  list?: boolean
  seed?: number
  json?: boolean
}

function wholeNumber(value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`expected a whole number from 0, got "${value}"`)
  return parsed
}

/** The `--json` line: the lesson's runs with their per-epoch figures (fractions in [0, 1]), the ensemble's accuracy, the verdict. */
export function experimentJson(attempt: LessonAttempt) {
  return {
    experiment: attempt.lessonId,
    seed: attempt.seed,
    runs: attempt.runs.map((run) => ({
      label: run.label,
      runId: run.runId,
      config: run.config,
      status: run.status,
      testAccuracy: run.testAccuracy ?? null,
      trainAccuracy: run.trainAccuracy ?? null,
      epochs: run.epochs.map(({ epoch, trainLoss, trainAccuracy, testLoss, testAccuracy }) => ({ epoch, trainLoss, trainAccuracy, testLoss, testAccuracy })),
    })),
    ...(attempt.ensemble ? { ensemble: attempt.ensemble } : {}),
    verdict: { holds: attempt.verdict.holds, reason: attempt.verdict.reason, text: attempt.verdict.text },
  }
}

/** Follows the attempt's runs on stderr (a progress bar per run, a line per epoch) until nothing more will change. */
function follow(workbench: Workbench, lesson: Lesson, started: LessonAttempt, quiet: boolean): Promise<LessonAttempt> {
  const labels = new Map(started.runs.map((run) => [run.runId, run.label]))
  const bar = quiet ? undefined : new cliProgress.SingleBar({ format: '{label} epoch {epochLabel} |{bar}| {percentage}% | {speed} samples/s | ETA {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic)
  let barRun: string | undefined
  return new Promise((resolve) => {
    const unsubscribe = workbench.events.subscribe((event, payload) => {
      if (event === 'run.progress' && bar) {
        const progress = payload as EventOf<'run.progress'>
        if (!labels.has(progress.runId)) return
        const values = { label: labels.get(progress.runId), epochLabel: `${progress.epoch}/${progress.epochs}`, speed: Math.round(progress.samplesPerSecond), eta: Math.round(progress.etaSeconds) }
        if (barRun !== progress.runId) {
          bar.stop()
          bar.start(progress.totalSamples, progress.samplesSeen, values)
          barRun = progress.runId
        } else bar.update(progress.samplesSeen, values)
      }
      if (event === 'run.epoch' && !quiet) {
        const epoch = payload as EventOf<'run.epoch'>
        if (!labels.has(epoch.runId)) return
        bar?.stop()
        barRun = undefined
        const train = epoch.trainEvalAccuracy ?? epoch.trainAccuracy
        console.error(`${labels.get(epoch.runId)} epoch ${epoch.epoch}: train acc ${(train * 100).toFixed(2)}% | test loss ${epoch.testLoss.toFixed(4)} acc ${(epoch.testAccuracy * 100).toFixed(2)}% | ${epoch.seconds.toFixed(1)} s`)
      }
      if (event === 'lesson.attempt') {
        const attempt = payload as LessonAttempt
        if (attempt.attemptId !== started.attemptId) return
        if (!quiet && lesson.ensemble && !attempt.ensemble && attempt.runs.every((run) => run.status === 'completed')) console.error('evaluating the averaged probabilities of the three models on the test images...')
        if (!attemptSettled(attempt, lesson)) return
        bar?.stop()
        unsubscribe()
        resolve(attempt)
      }
    })
  })
}

async function experiment(open: () => Promise<Workbench>, fail: (message: string) => never, id: string | undefined, flags: ExperimentFlags): Promise<void> {
  if (flags.list) {
    if (flags.json) return console.log(JSON.stringify(LESSONS.map((lesson) => ({ id: lesson.id, title: lesson.title }))))
    for (const lesson of LESSONS) console.log(`${lesson.id.padEnd(20)} ${lesson.title}`)
    return
  }
  if (!id) fail(`give a lesson id: ${LESSON_IDS.join(', ')} (experiment --list shows their titles)`)
  const lesson = getLesson(id!) ?? fail(`no lesson "${id}": one of ${LESSON_IDS.join(', ')}`)
  const workbench = await open()
  const result = await dispatchApiCall(workbench.handlers, 'lessons.start', { lessonId: lesson.id, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) })
  if (!result.ok) fail(result.error.message)
  const started = result.value as LessonAttempt
  if (!flags.json) console.error(`${lesson.title}: ${started.runs.map((run) => `${run.label} (run ${run.runId})`).join(', ')}, seed ${started.seed}`)
  const stopOnSignal = () => {
    console.error('\nstopping the lesson\u2019s runs after their current batch (Ctrl+C again to abort)...')
    for (const run of started.runs) workbench.supervisor.stop(run.runId)
    process.once('SIGINT', () => process.exit(130))
  }
  process.once('SIGINT', stopOnSignal)
  const attempt = await follow(workbench, lesson, started, !!flags.json)
  process.off('SIGINT', stopOnSignal)
  if (flags.json) return console.log(JSON.stringify(experimentJson(attempt)))
  for (const run of attempt.runs) {
    const accuracy = run.testAccuracy === undefined ? '-' : `${(run.testAccuracy * 100).toFixed(2)}%`
    console.log(`${run.label.padEnd(26)} ${run.status.padEnd(10)} test acc ${accuracy.padEnd(7)} run ${run.runId}`)
  }
  if (attempt.ensemble) console.log(`${'ensemble'.padEnd(26)} ${''.padEnd(10)} test acc ${(attempt.ensemble.testAccuracy * 100).toFixed(2)}%`)
  console.log(`${attempt.verdict.holds ? 'The lesson holds' : `The lesson did not show (${attempt.verdict.reason})`}: ${attempt.verdict.text}`)
}

/** `experiment <id>`: a lesson of the course notes run through the same services as the Lessons page. */
export function registerExperimentCommand(program: Command, open: () => Promise<Workbench>, fail: (message: string) => never): void {
  program
    .command('experiment')
    .description('run a lesson of the course notes (runs that differ in one setting) and print what it showed')
    .argument('[id]', 'lesson id (see --list)')
    .option('--list', 'list the lessons')
    .option('--seed <n>', 'seed of the runs (the ensemble\u2019s: n, n+1, n+2); default 1', wholeNumber)
    .option('--json', 'print one JSON object (runs, epochs, ensemble, verdict) as the last line instead of progress')
    .action((id: string | undefined, flags: ExperimentFlags) => experiment(open, fail, id, flags))
}
