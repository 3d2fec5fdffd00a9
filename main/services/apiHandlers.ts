import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'
import { createDataHandlers } from './dataHandlers'
import { createExchangeHandlers } from './exchangeHandlers'
import { createLessonHandlers } from './lessonHandlers'
import { createModelHandlers } from './modelHandlers'
import { ProcessQueue } from './processQueue'
import { createRunHandlers } from './runHandlers'
import { createSystemHandlers } from './systemHandlers'
import { createTrainingHandlers } from './trainingHandlers'

export type { ApiHandlers, ServiceSet } from './apiHandlerTypes'

/** The API's behaviour, once, for every adapter (Electron IPC, web bridge, CLI): one handler group per domain. */
export function createApiHandlers(services: ServiceSet): ApiHandlers {
  // Doctor and learning-rate calls each start a worker process: two at a time whatever the clients send.
  const spawning = new ProcessQueue(2, 8)
  return {
    ...createSystemHandlers(services, spawning),
    ...createTrainingHandlers(services, spawning),
    ...createRunHandlers(services),
    ...createExchangeHandlers(services.store, services.grants, services.inference),
    ...createDataHandlers(services),
    ...createModelHandlers(services),
    ...createLessonHandlers(services),
  }
}
