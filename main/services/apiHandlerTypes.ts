import type { MethodName, ParsedRequestOf, ResponseOf } from '../../shared/api/contract'
import type { LessonAttempt, LessonId } from '../../shared/lessons/lessonTypes'
import type { InferenceService } from '../predict/inferenceService'
import type { WorkerLauncher } from '../processes/workerLauncher'
import type { RunStore } from '../storage/runStore'
import type { DataService } from './dataService'
import type { EventBus } from './eventBus'
import type { TrainingSupervisor } from './trainingSupervisor'
import type { UserPathGrants } from './userPathGrants'

/** One handler per contract method; apiHandlers.ts composes them from the handler groups (runHandlers.ts, ...). */
export type ApiHandlers = { [M in MethodName]: (request: ParsedRequestOf<M>) => Promise<ResponseOf<M>> }

/** The services the API's handlers answer from; each handler group takes the part it needs. */
export interface ServiceSet {
  store: RunStore
  supervisor: TrainingSupervisor
  inference: InferenceService
  mode: 'electron' | 'web' | 'cli'
  version: string
  launchWorker: WorkerLauncher
  grants: UserPathGrants
  /** Data sets: descriptions, previews, downloads, folder grants. */
  data: DataService
  /** The desktop shell's folder dialog (it records the grant); absent in web and CLI mode. */
  chooseFolder?: () => Promise<string | null>
  /** The Redis pool of training workers (`--queue`); absent when runs can only train here. */
  pool?: { status(): Promise<ResponseOf<'pool.status'>> }
  /** Where handlers push events of their own (the range test's points); absent, they push none. */
  events?: Pick<EventBus, 'emit'>
  /** Lessons: attempts at the notes' experiments (main/lessons/lessonService.ts). */
  lessons: {
    attempts(): Promise<LessonAttempt[]>
    start(lessonId: LessonId, seed?: number): Promise<LessonAttempt>
  }
}
