import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createApp } from 'vue'
import { TrainConfig } from '../../../../shared/api/schemas'
import type { LessonAttempt } from '../../../../shared/lessons/lessonTypes'
import { workbenchApiKey } from '../../../../renderer/src/composables/useWorkbenchApi'
import { useLessonsStore } from '../../../../renderer/src/stores/lessons'

const config = TrainConfig.parse({ arch: 'lenet5', dataset: 'fashion-mnist', epochs: 2, batchSize: 64, learningRate: 0.05 })
const attempt = (attemptId: string, startedAt: string, extra: Partial<LessonAttempt> = {}): LessonAttempt => ({
  lessonId: 'sigmoid-vs-relu',
  attemptId,
  seed: 1,
  startedAt,
  runs: [{ label: 'sigmoid', runId: `${attemptId}-a`, config, status: 'queued', epochs: [] }],
  verdict: { holds: false, reason: 'pending', text: 'sigmoid is waiting' },
  ...extra,
})

function setup(stored: LessonAttempt[]) {
  const calls: { method: string; request: unknown }[] = []
  const call = async (method: string, request: { lessonId?: string }) => {
    calls.push({ method, request })
    if (method === 'lessons.attempts') return stored
    if (method === 'lessons.start') return attempt('new', '2026-12-07T21:00:00.000Z')
    throw new Error(`unexpected ${method}`)
  }
  const app = createApp({})
  app.provide(workbenchApiKey, { call, on: () => () => undefined } as never)
  const pinia = createPinia()
  app.use(pinia)
  setActivePinia(pinia)
  return { store: useLessonsStore(), calls }
}

describe('the lessons store', () => {
  it('keeps each lesson’s latest attempt, whatever order the list comes in', async () => {
    const { store } = setup([attempt('old', '2026-12-07T20:00:00.000Z'), attempt('late', '2026-12-07T20:30:00.000Z')])
    await store.load()
    expect(store.latest['sigmoid-vs-relu']?.attemptId).toBe('late')
    expect(store.loaded).toBe(true)
  })

  it('applies a newer state of the latest attempt, ignores an older attempt’s events', async () => {
    const { store } = setup([attempt('late', '2026-12-07T20:30:00.000Z')])
    await store.load()
    store.applyAttempt(attempt('old', '2026-12-07T20:00:00.000Z', { verdict: { holds: true, reason: 'holds', text: 'old news' } }))
    expect(store.latest['sigmoid-vs-relu']?.attemptId).toBe('late')
    store.applyAttempt(attempt('late', '2026-12-07T20:30:00.000Z', { verdict: { holds: true, reason: 'holds', text: 'ReLU: 81% after epoch 1' } }))
    expect(store.latest['sigmoid-vs-relu']?.verdict.text).toBe('ReLU: 81% after epoch 1')
  })

  it('starts a lesson through lessons.start and shows the new attempt at once', async () => {
    const { store, calls } = setup([])
    const started = store.start('sigmoid-vs-relu')
    expect(store.starting).toBe('sigmoid-vs-relu')
    await started
    expect(calls.at(-1)).toEqual({ method: 'lessons.start', request: { lessonId: 'sigmoid-vs-relu' } })
    expect(store.latest['sigmoid-vs-relu']?.attemptId).toBe('new')
    expect(store.starting).toBeNull()
  })
})
