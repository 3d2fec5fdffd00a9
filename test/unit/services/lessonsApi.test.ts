import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dispatchApiCall } from '../../../main/services/apiDispatcher'
import { createWorkbench, lessonCapFromEnv, type Workbench } from '../../../main/services/workbench'
import type { RunSummary } from '../../../shared/api/schemas'
import type { LessonAttempt } from '../../../shared/lessons/lessonTypes'
import { getLesson } from '../../../shared/lessons/lessonCatalog'
import { fakeWorkerLauncher, type FakeWorker } from '../../helpers/fakeWorker'
import { LessonAttemptStore } from '../../../main/services/lessonAttemptStore'

async function setup(dataDir?: string) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'lessons-api-')))
  const fake = fakeWorkerLauncher()
  const workbench = await createWorkbench({ dataDir: dir, launchWorker: fake.launch, mode: 'web' })
  const events: LessonAttempt[] = []
  workbench.events.subscribe((event, payload) => event === 'lesson.attempt' && events.push(payload as LessonAttempt))
  const call = (method: string, request: unknown) => dispatchApiCall(workbench.handlers, method, request)
  return { dataDir: dir, fake, workbench, call, events }
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The worker trains: its data, one epoch per test accuracy (train accuracy in evaluation mode 5 points higher unless `trainEval` is off), then it completes. */
function train(worker: FakeWorker, testAccuracies: number[], options: { trainEval?: boolean; end?: 'completed' | 'none'; firstEpoch?: number } = {}): void {
  const first = options.firstEpoch ?? 1
  if (first === 1) worker.report({ type: 'dataset', classNames: Array.from({ length: 10 }, (_, i) => `c${i}`), data: { imageShape: [28, 28, 1], train: 4000, validation: 0, test: 10000, mean: [], std: [], normalized: false, skipped: 0 } })
  testAccuracies.forEach((testAccuracy, index) => {
    const evaluated = options.trainEval === false ? {} : { trainEvalLoss: 0.3, trainEvalAccuracy: testAccuracy + 0.05 }
    worker.report({ type: 'epoch', metrics: { epoch: first + index, trainLoss: 0.5, trainAccuracy: testAccuracy - 0.1, testLoss: 0.4, testAccuracy, seconds: 3, ...evaluated } })
  })
  if (options.end === 'none') return
  const testAccuracy = testAccuracies.at(-1)!
  worker.report({ type: 'completed', result: { trainLoss: 0.5, trainAccuracy: testAccuracy, testLoss: 0.4, testAccuracy, samplesPerSecond: 1000, trainSeconds: 9, params: 1000 }, stopped: false })
  worker.exit(0, null)
}

const latest = async (workbench: Workbench, attemptId: string) => (await workbench.lessons.attempts()).find((attempt) => attempt.attemptId === attemptId)!

describe('lessons.start and lessons.attempts', () => {
  it('queues the lesson runs as ordinary tagged, named runs with the seed, and follows them to a verdict', async () => {
    const { dataDir, fake, workbench, call, events } = await setup()
    const started = await call('lessons.start', { lessonId: 'sigmoid-vs-relu', seed: 7 })
    expect(started.ok).toBe(true)
    const attempt = (started as { value: LessonAttempt }).value
    expect(attempt).toMatchObject({ lessonId: 'sigmoid-vs-relu', seed: 7, verdict: { holds: false, reason: 'pending' } })
    expect(attempt.runs.map((run) => run.label)).toEqual(['sigmoid', 'ReLU'])

    const runs = (await workbench.handlers['runs.list']({})) as RunSummary[]
    for (const [index, label] of ['sigmoid', 'ReLU'].entries()) {
      const run = runs.find((entry) => entry.runId === attempt.runs[index].runId)!
      expect(run).toMatchObject({ name: `Sigmoid vs ReLU · ${label}`, tags: ['lesson:sigmoid-vs-relu'], config: { seed: 7, evaluateTrainSplit: true, knobs: { activation: label.toLowerCase() } } })
    }

    train(fake.workers[0], [0.34], { end: 'none' })
    await until(() => events.some((event) => event.runs[0].epochs.length === 1 && event.runs[0].status === 'running'), 'an event after the first epoch')
    train(fake.workers[0], [0.7, 0.85], { firstEpoch: 2 })
    await until(() => fake.workers[1], 'the second run to start')
    train(fake.workers[1], [0.81, 0.9, 0.93])
    const done = await until(async () => {
      const current = await latest(workbench, attempt.attemptId)
      return current.verdict.reason !== 'pending' ? current : undefined
    }, 'the verdict')
    expect(done.verdict).toMatchObject({ holds: true, reason: 'holds' })
    expect(done.verdict.text).toContain('ReLU: 81.0% after epoch 1, sigmoid 34.0%')
    // Evaluation-mode train figures become the lesson's train accuracy.
    expect(done.runs[1]).toMatchObject({ status: 'completed', testAccuracy: 0.93, trainAccuracy: expect.closeTo(0.98, 9), trainMeasured: 'evaluation', testImages: 10000 })
    expect(done.runs[1].epochs[0]).toMatchObject({ epoch: 1, trainAccuracy: expect.closeTo(0.86, 9), trainLoss: 0.3, testAccuracy: 0.81 })
    await until(() => JSON.stringify(events.at(-1)) === JSON.stringify(done), 'the last event to be the final attempt')

    // Stored under lessons/, and read back by a workbench opened later.
    expect(await readdir(join(dataDir, 'lessons'))).toEqual([`${attempt.attemptId}.json`])
    await workbench.close()
    const reopened = await setup(dataDir)
    const listed = await reopened.call('lessons.attempts', {})
    expect(listed).toMatchObject({ ok: true, value: [{ attemptId: attempt.attemptId, verdict: { holds: true } }] })
  })

  it('says which run did not finish, and falls back to training-mode figures with a flag', async () => {
    const { fake, workbench, call } = await setup()
    const { value: attempt } = (await call('lessons.start', { lessonId: 'dropout' })) as { value: LessonAttempt }
    expect(attempt.seed).toBe(1)
    train(fake.workers[0], [0.8, 0.85], { trainEval: false, end: 'none' })
    workbench.supervisor.stop(attempt.runs[1].runId) // the queued one: cancelled before it ran
    fake.workers[0].report({ type: 'completed', result: { trainLoss: 0.5, trainAccuracy: 0.9, testLoss: 0.4, testAccuracy: 0.85, samplesPerSecond: 1000, trainSeconds: 9, params: 1000 }, stopped: true })
    fake.workers[0].exit(0, null)
    const done = await until(async () => {
      const current = await latest(workbench, attempt.attemptId)
      return current.runs.every((run) => run.status !== 'queued' && run.status !== 'running') ? current : undefined
    }, 'both runs to end')
    expect(done.runs[0]).toMatchObject({ status: 'stopped', trainMeasured: 'training', trainAccuracy: 0.75 })
    expect(done.verdict).toMatchObject({ holds: false, reason: 'incomplete' })
    expect(done.verdict.text).toContain(`the ${attempt.runs[0].label} run was stopped after epoch 2 of ${getLesson('dropout')!.runs[0].config.epochs}`)
    expect(done.verdict.text).toContain('was cancelled after epoch 0')
  })

  it('evaluates the ensemble in a worker process once its three runs complete', async () => {
    const { fake, workbench, call, events } = await setup()
    const { value: attempt } = (await call('lessons.start', { lessonId: 'ensemble', seed: 5 })) as { value: LessonAttempt }
    const runs = await Promise.all(attempt.runs.map((run) => workbench.store.get(run.runId)))
    expect(runs.map((run) => run.config.seed)).toEqual([5, 6, 7])
    for (const [index, accuracy] of [0.8, 0.82, 0.81].entries()) {
      await until(() => fake.workers[index], `run ${index + 1} to start`)
      train(fake.workers[index], [accuracy - 0.1, accuracy])
    }
    const evaluator = await until(() => fake.workers[3], 'the ensemble worker')
    const request = evaluator.received[0] as { type: string; members: { runDir: string; config: { seed: number } }[] }
    expect(request.type).toBe('ensemble')
    expect(request.members.map((member) => member.config.seed)).toEqual([5, 6, 7])
    expect(request.members[0].runDir).toBe(workbench.store.runDir(attempt.runs[0].runId))
    evaluator.report({ type: 'ensemble', testAccuracy: 0.845, memberAccuracies: [0.8, 0.82, 0.81], testImages: 10000 })
    const done = await until(async () => (await latest(workbench, attempt.attemptId)).ensemble && (await latest(workbench, attempt.attemptId)), 'the ensemble accuracy')
    expect(done.ensemble).toEqual({ testAccuracy: 0.845, memberTestAccuracies: [0.8, 0.82, 0.81] })
    expect(done.verdict).toMatchObject({ holds: true, reason: 'holds' })
    expect(done.verdict.text).toContain('Ensemble of 3 (averaged probabilities): 84.5%')
    await until(() => events.at(-1)?.ensemble?.testAccuracy === 0.845, 'the event with the ensemble')
  })

  it('says so when the ensemble cannot be evaluated', async () => {
    const { fake, workbench, call } = await setup()
    const { value: attempt } = (await call('lessons.start', { lessonId: 'ensemble' })) as { value: LessonAttempt }
    for (let index = 0; index < 3; index++) train(await until(() => fake.workers[index], `run ${index + 1}`), [0.7, 0.8])
    ;(await until(() => fake.workers[3], 'the ensemble worker')).exit(null, 'SIGKILL')
    const done = await until(async () => ((await latest(workbench, attempt.attemptId)).ensembleError ? latest(workbench, attempt.attemptId) : undefined), 'the error')
    expect(done.verdict).toMatchObject({ holds: false, reason: 'incomplete' })
    expect(done.verdict.text).toContain('The ensemble could not be evaluated: the worker process was killed (SIGKILL)')
  })

  it('keeps the last known state of a run deleted since', async () => {
    // Slow writes: the attempt shown (cache) runs ahead of its file, and closing must wait for the file.
    const save = LessonAttemptStore.prototype.save
    const slowSave = vi.spyOn(LessonAttemptStore.prototype, 'save').mockImplementation(async function (this: LessonAttemptStore, attempt) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      return save.call(this, attempt)
    })
    onTestFinished(() => slowSave.mockRestore())
    const { dataDir, fake, workbench, call } = await setup()
    const { value: attempt } = (await call('lessons.start', { lessonId: 'batch-size' })) as { value: LessonAttempt }
    train(fake.workers[0], [0.8, 0.85, 0.9])
    train(await until(() => fake.workers[1], 'the second run'), [0.7, 0.8, 0.88])
    await until(async () => ((await latest(workbench, attempt.attemptId)).verdict.reason === 'pending' ? undefined : true), 'the verdict')
    expect(await call('runs.delete', { runId: attempt.runs[0].runId })).toMatchObject({ ok: true })
    await workbench.close()
    const reopened = await setup(dataDir)
    const [kept] = (await reopened.workbench.lessons.attempts()).filter((entry) => entry.attemptId === attempt.attemptId)
    expect(kept.runs[0]).toMatchObject({ runId: attempt.runs[0].runId, status: 'completed', testAccuracy: 0.9 })
    expect(kept.runs[0].epochs).toHaveLength(3)
  })

  it('refuses unknown lessons and bad seeds with one line, and skips damaged attempt files', async () => {
    const { dataDir, call } = await setup()
    expect(await call('lessons.start', { lessonId: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(await call('lessons.start', { lessonId: 'shuffle', seed: -1 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(await call('lessons.start', { lessonId: 'shuffle', seed: 1.5 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    await mkdir(join(dataDir, 'lessons'), { recursive: true })
    await writeFile(join(dataDir, 'lessons', 'broken.json'), '{"lessonId": "shuffle"')
    const reopened = await setup(dataDir)
    expect(await reopened.call('lessons.attempts', {})).toEqual({ ok: true, value: [] })
    expect(existsSync(join(dataDir, 'lessons', 'broken.json'))).toBe(true)
  })

  it('reads the test cap from WORKBENCH_LESSON_CAP and applies it to every run', async () => {
    expect(lessonCapFromEnv({ WORKBENCH_LESSON_CAP: 'epochs:1, limit:200' })).toEqual({ epochs: 1, limit: 200 })
    expect(lessonCapFromEnv({ WORKBENCH_LESSON_CAP: 'epochs:0,limit:x,other:3' })).toBeUndefined()
    expect(lessonCapFromEnv({})).toBeUndefined()
    expect(getLesson('shuffle')?.runs[0].config.epochs).toBeGreaterThan(1)
  })
})
