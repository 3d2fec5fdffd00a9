import { RunNotFoundError, RunStore } from '../storage/runStore'
import { BadImageError } from './badImageError'
import { ModelExchangeError } from './exportManifest'
import { createLocalInference, type InferenceService } from './inferenceService'
import { InferenceRequest, type InferenceReply } from './inferenceProtocol'
import { selectInferenceBackend } from './inferenceBackend'

/**
 * Entry of the inference worker process: decoding dropped images and running models (predictions,
 * feature maps, occlusion maps) happen here, so a large network never stalls the process that serves
 * the window. Long-lived: models stay cached between requests.
 */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
const reply = (message: InferenceReply) => (parentPort ? parentPort.postMessage(message) : process.send?.(message))
const services = new Map<string, InferenceService>()
// Chosen once per worker, on first use (see selectInferenceBackend).
let backend: Promise<unknown> | undefined
const prepareBackend = () => (backend ??= selectInferenceBackend())

function serviceFor(dataDir: string): InferenceService {
  let service = services.get(dataDir)
  if (!service) services.set(dataDir, (service = createLocalInference(new RunStore(dataDir), prepareBackend)))
  return service
}

async function handle(raw: unknown): Promise<void> {
  const parsed = InferenceRequest.safeParse(raw)
  if (!parsed.success) return
  const request = parsed.data
  try {
    const service = serviceFor(request.dataDir)
    const value =
      request.method === 'predict'
        ? await service.predict(request.runId, request.fileName, request.bytes, request.topK)
        : request.method === 'inspect'
          ? await service.inspect(request.runId, request.fileName, request.bytes, request.options)
          : await service.checkImport(request.folder, request.stagingDir)
    reply({ id: request.id, ok: true, value })
  } catch (error) {
    const kind = error instanceof BadImageError ? 'bad-image' : error instanceof ModelExchangeError ? 'bad-model' : error instanceof RunNotFoundError ? 'not-found' : 'internal'
    reply({ id: request.id, ok: false, kind, message: error instanceof Error ? error.message : String(error) })
  }
}

if (parentPort) parentPort.on('message', (event) => void handle(event.data))
else {
  process.on('message', (message) => void handle(message))
  process.on('disconnect', () => process.exit(0))
}
