import { defineStore } from 'pinia'
import { computed, inject, ref } from 'vue'
import type { LessonAttempt, LessonId } from '../../../shared/lessons/lessonTypes'
import { workbenchApiKey } from '../api/workbenchApi'

/** Latest first: the newer start wins, then the id, so the order never depends on arrival. */
function newer(a: LessonAttempt, b: LessonAttempt): boolean {
  return a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.attemptId > b.attemptId)
}

/**
 * Each lesson's latest attempt, as the server computes it (runs, ensemble accuracy, verdict). Loaded with
 * `lessons.attempts`, kept current by `lesson.attempt` events (`applyAttempt`, wired in App.vue so an attempt
 * keeps moving while another view is open), and started with `lessons.start`.
 */
export const useLessonsStore = defineStore('lessons', () => {
  const api = inject(workbenchApiKey, null)

  const latest = ref<Partial<Record<LessonId, LessonAttempt>>>({})
  /** The lesson whose start request is on its way (its button says so). */
  const starting = ref<LessonId | null>(null)
  const loaded = ref(false)

  function requireApi() {
    if (!api) throw new Error('WorkbenchApi was not provided')
    return api
  }

  /** Takes an attempt if it is the lesson's latest, or a newer state of it. */
  function applyAttempt(attempt: LessonAttempt): void {
    const known = latest.value[attempt.lessonId]
    if (!known || known.attemptId === attempt.attemptId || newer(attempt, known)) latest.value[attempt.lessonId] = attempt
  }

  async function load(): Promise<void> {
    const attempts = await requireApi().call('lessons.attempts', {})
    for (const attempt of attempts) applyAttempt(attempt)
    loaded.value = true
  }

  /** Queues the lesson's runs; the reply is the new attempt (pending until its runs end). */
  async function start(lessonId: LessonId, seed?: number): Promise<LessonAttempt> {
    starting.value = lessonId
    try {
      const attempt = await requireApi().call('lessons.start', seed === undefined ? { lessonId } : { lessonId, seed })
      applyAttempt(attempt)
      return attempt
    } finally {
      starting.value = null
    }
  }

  const attemptOf = computed(() => (lessonId: LessonId) => latest.value[lessonId])

  return { latest, starting, loaded, applyAttempt, load, start, attemptOf }
})
