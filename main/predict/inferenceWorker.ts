import { RunNotFoundError, RunStore } from '../storage/runStore'
import { BadImageError } from './badImageError'
import { ModelExchangeError } from './exportManifest'
import { createLocalInference, type InferenceService } from './inferenceService'
import { InferenceRequest, type InferenceEvent, type InferenceReply } from './inferenceProtocol'
import { DataReader } from '../data/dataReader'
import { DataInputError } from '../data/dataReading'
import { selectInferenceBackend } from './inferenceBackend'
import { preferPassiveLibraryWaiting } from '../config/environment'

/**
 * Entry of the inference worker process: decoding dropped images and running models (predictions,
 * feature maps, occlusion maps, import checks) happen here, and so do the Data view's reads (folder scans,
 * descriptions, sample previews), so neither a large network nor a large folder stalls the process that
 * serves the window, which loads neither TensorFlow.js nor the image decoder. Long-lived: models and
 * opened data sets stay cached between requests.
 */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}
preferPassiveLibraryWaiting()
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
const reply = (message: InferenceReply | InferenceEvent) => (parentPort ? parentPort.postMessage(message) : process.send?.(message))
const services = new Map<string, InferenceService>()
const readers = new Map<string, DataReader>()
// Chosen once per worker, on first use (see selectInferenceBackend).
let backend: Promise<unknown> | undefined
const prepareBackend = () => (backend ??= selectInferenceBackend())

function serviceFor(dataDir: string): InferenceService {
  let service = services.get(dataDir)
  if (!service) services.set(dataDir, (service = createLocalInference(new RunStore(dataDir), prepareBackend)))
  return service
}

function readerFor(dataDir: string): DataReader {
  let reader = readers.get(dataDir)
  if (!reader) readers.set(dataDir, (reader = new DataReader(dataDir, (progress) => reply({ event: 'data.scan', ...progress }))))
  return reader
}

function answer(request: InferenceRequest): Promise<unknown> {
  switch (request.method) {
    case 'predict':
      return serviceFor(request.dataDir).predict(request.runId, request.fileName, request.bytes, request.topK)
    case 'inspect':
      return serviceFor(request.dataDir).inspect(request.runId, request.fileName, request.bytes, request.options)
    case 'check-import':
      return serviceFor(request.dataDir).checkImport(request.folder, request.stagingDir)
    case 'data-describe':
      return readerFor(request.dataDir).describe(request.request)
    case 'data-samples':
      return readerFor(request.dataDir).samples(request.request)
    case 'data-cancel':
      return Promise.resolve(readerFor(request.dataDir).cancelScan(request.dataset, request.reason))
  }
}

async function handle(raw: unknown): Promise<void> {
  const parsed = InferenceRequest.safeParse(raw)
  if (!parsed.success) return
  const request = parsed.data
  try {
    reply({ id: request.id, ok: true, value: await answer(request) })
  } catch (error) {
    const kind =
      error instanceof BadImageError ? 'bad-image'
      : error instanceof ModelExchangeError ? 'bad-model'
      : error instanceof DataInputError ? 'bad-data'
      : error instanceof RunNotFoundError ? 'not-found'
      : 'internal'
    reply({ id: request.id, ok: false, kind, message: error instanceof Error ? error.message : String(error) })
  }
}

if (parentPort) parentPort.on('message', (event) => void handle(event.data))
else {
  process.on('message', (message) => void handle(message))
  process.on('disconnect', () => process.exit(0))
}
