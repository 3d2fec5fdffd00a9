import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'

/** Attempts at the notes' experiments (main/services/lessonService.ts does the work). */
export function createLessonHandlers({ lessons }: Pick<ServiceSet, 'lessons'>): Pick<ApiHandlers, 'lessons.attempts' | 'lessons.start'> {
  return {
    'lessons.attempts': () => lessons.attempts(),
    'lessons.start': ({ lessonId, seed }) => lessons.start(lessonId, seed),
  }
}
