import type { Inspection } from '../../shared/api/inspect'
import type { Prediction } from '../../shared/api/schemas'
import { RunNotFoundError } from '../storage/runStore'
import type { WorkerHandle, WorkerLauncher } from '../processes/workerLauncher'
import { BadImageError } from './badImageError'
import { ModelExchangeError } from './exportManifest'
import type { InferenceService } from './inferenceService'
import type { InspectOptions } from './inspector'
import { InferenceReply, type InferenceRequest } from './inferenceProtocol'

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }
/** A request without the fields the client fills in, for each kind of request. */
type RequestBody = InferenceRequest extends infer R ? (R extends InferenceRequest ? Omit<R, 'id' | 'dataDir'> : never) : never

/**
 * The app's side of the inference worker: started on first use, restarted after a crash (the calls in
 * flight fail with a clear message), ended with the app.
 */
export function createWorkerInference(launch: WorkerLauncher, dataDir: string): InferenceService {
  let worker: WorkerHandle | undefined
  let nextId = 1
  const pending = new Map<number, Pending>()

  function start(): WorkerHandle {
    const handle = launch()
    handle.onMessage((raw) => {
      const parsed = InferenceReply.safeParse(raw)
      if (!parsed.success) return
      const message = parsed.data
      const waiter = pending.get(message.id)
      if (!waiter) return
      pending.delete(message.id)
      if (message.ok) return waiter.resolve(message.value)
      // Rebuilt as the same error classes, so the dispatcher answers with the same codes as in-process.
      const errors = { 'bad-image': BadImageError, 'bad-model': ModelExchangeError, 'not-found': RunNotFoundError, internal: Error }
      waiter.reject(Object.assign(new errors[message.kind](''), { message: message.message }))
    })
    handle.onExit((code, signal) => {
      if (worker === handle) worker = undefined
      for (const [id, waiter] of pending) {
        pending.delete(id)
        waiter.reject(new Error(`the inference process ${signal ? `was killed (${signal})` : `exited with code ${code}`}; try again`))
      }
    })
    return handle
  }

  function request<T>(message: RequestBody): Promise<T> {
    worker ??= start()
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      worker!.send({ ...message, id, dataDir })
    })
  }

  return {
    predict: (runId, fileName, bytes, topK) => request<Prediction>({ method: 'predict', runId, fileName, bytes, topK }),
    inspect: (runId, fileName, bytes, options: InspectOptions) => request<Inspection>({ method: 'inspect', runId, fileName, bytes, options }),
    checkImport: (folder, stagingDir) => request<unknown>({ method: 'check-import', folder, stagingDir }),
    close: () => worker?.kill(),
  }
}
