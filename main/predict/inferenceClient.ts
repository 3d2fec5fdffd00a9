import type { Inspection } from '../../shared/api/inspect'
import type { DatasetDescription, Prediction } from '../../shared/api/schemas'
import { RunNotFoundError } from '../storage/runStore'
import type { WorkerHandle, WorkerLauncher } from '../processes/workerLauncher'
import { DataInputError, type DataReading, type SamplesReply, type ScanProgress } from '../data/dataReading'
import { BadImageError } from './badImageError'
import { ModelExchangeError } from './exportManifest'
import type { InferenceService } from './inferenceService'
import type { InspectOptions } from './inspector'
import { InferenceEvent, InferenceReply, type InferenceRequest } from './inferenceProtocol'

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }
/** A request without the fields the client fills in, for each kind of request. */
type RequestBody = InferenceRequest extends infer R ? (R extends InferenceRequest ? Omit<R, 'id' | 'dataDir'> : never) : never

/** Rebuilt as the same error classes, so the dispatcher answers with the same codes as in-process. */
const ERRORS = { 'bad-image': BadImageError, 'bad-model': ModelExchangeError, 'bad-data': DataInputError, 'not-found': RunNotFoundError, internal: Error }

/**
 * The app's side of the inference worker: started on first use, restarted after a crash (the calls in
 * flight fail with a clear message), ended with the app.
 */
function workerConnection(launch: WorkerLauncher, dataDir: string, onEvent: (event: InferenceEvent) => void) {
  let worker: WorkerHandle | undefined
  let nextId = 1
  const pending = new Map<number, Pending>()

  function receive(raw: unknown): void {
    const event = InferenceEvent.safeParse(raw)
    if (event.success) return onEvent(event.data)
    const parsed = InferenceReply.safeParse(raw)
    if (!parsed.success) return
    const message = parsed.data
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    if (message.ok) return waiter.resolve(message.value)
    waiter.reject(Object.assign(new ERRORS[message.kind](''), { message: message.message }))
  }

  function start(): WorkerHandle {
    const handle = launch()
    handle.onMessage(receive)
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

  return { request, close: () => worker?.kill() }
}

/** The Data view's reads through the worker; which folders are being scanned is known here, without asking it. */
function workerDataReading(request: ReturnType<typeof workerConnection>['request']): DataReading {
  const scanning = new Map<string, number>()
  async function tracked<T>(dataset: string, call: () => Promise<T>): Promise<T> {
    scanning.set(dataset, (scanning.get(dataset) ?? 0) + 1)
    try {
      return await call()
    } finally {
      const left = (scanning.get(dataset) ?? 1) - 1
      if (left > 0) scanning.set(dataset, left)
      else scanning.delete(dataset)
    }
  }
  return {
    describe: (read) => tracked(read.dataset, () => request<DatasetDescription>({ method: 'data-describe', request: read })),
    samples: (read) => tracked(read.dataset, () => request<SamplesReply>({ method: 'data-samples', request: read })),
    cancelScan(dataset, reason = 'cancelled') {
      if (!scanning.has(dataset)) return false
      void request({ method: 'data-cancel', dataset, reason }).catch(() => undefined)
      return true
    },
    isScanning: (dataset) => scanning.has(dataset),
  }
}

/** Inference and the Data view's reads, both in one long-lived worker process. */
export function createWorkerInference(
  launch: WorkerLauncher,
  dataDir: string,
  onScanProgress: (progress: ScanProgress) => void = () => {},
): InferenceService & { data: DataReading } {
  const { request, close } = workerConnection(launch, dataDir, ({ event: _event, ...progress }) => onScanProgress(progress))
  return {
    predict: (runId, fileName, bytes, topK) => request<Prediction>({ method: 'predict', runId, fileName, bytes, topK }),
    inspect: (runId, fileName, bytes, options: InspectOptions) => request<Inspection>({ method: 'inspect', runId, fileName, bytes, options }),
    checkImport: (folder, stagingDir) => request<unknown>({ method: 'check-import', folder, stagingDir }),
    data: workerDataReading(request),
    close,
  }
}
