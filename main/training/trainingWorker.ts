import { describeValidationError } from '../../shared/api/contract'
import { describeStorageError, storageErrorCode } from '../storage/storageErrors'
import { RunControl } from './runControl'
import { runTrainingJob } from './trainingJob'
import { runEnsembleJob } from './ensembleJob'
import { runLrFinderJob } from './lrFinderJob'
import { selectBackend } from '../backends/backendLadder'
import { WasmOutOfMemoryError } from '../backends/common/wasmKernelUtils'
import { WebGpuFailure } from '../backends/webgpu/deviceHealth'
import { FromWorker, ToWorker } from './workerProtocol'

/**
 * Entry point of a training worker process. Under Electron it is a utilityProcess (messages on
 * process.parentPort); under Node it is a child_process.fork (process.send / process.on('message')).
 */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

let sendsInFlight = 0
let exitWhenDrained = false

function send(message: FromWorker): void {
  if (parentPort) return parentPort.postMessage(message)
  sendsInFlight++
  process.send?.(message, undefined, undefined, () => {
    sendsInFlight--
    if (exitWhenDrained && sendsInFlight === 0) process.exit(0)
  })
}

/** Exits once every message has left, so the supervisor always sees the final one. */
function exitAfterDrain(): void {
  if (parentPort || sendsInFlight === 0) setTimeout(() => process.exit(0), parentPort ? 50 : 0)
  else exitWhenDrained = true
}

function onMessage(listener: (message: unknown) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data))
  else process.on('message', listener)
}

// A worker whose parent is gone (app or server killed) has no one to report to: it exits at once, and
// the next start of the app finds its run still `running` on disk and marks it interrupted.
// (A utilityProcess needs no such care: Electron ends it with its parent.)
if (!parentPort) process.on('disconnect', () => process.exit(0))

/** The error as one line; a full disk (or a read-only one) says so in words. */
function describeFailure(error: unknown): string {
  if (storageErrorCode(error)) return describeStorageError(error, 'saving the run')
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof WasmOutOfMemoryError || error instanceof WebGpuFailure) return message
  // tfjs's wasm backend traps like this when its 4 GiB heap is full; the JS backends fail to allocate.
  if (/memory access out of bounds|out of memory|Cannot enlarge memory|Array buffer allocation failed/i.test(message)) {
    return `training ran out of memory (${message}): lower the batch size or the input size (the CPU preset)`
  }
  return message
}

const control = new RunControl()
let started = false

onMessage((raw) => {
  const parsed = ToWorker.safeParse(raw)
  if (!parsed.success) {
    send({ type: 'failed', error: `training worker received a malformed message: ${describeValidationError(parsed.error)}` })
    return
  }
  const message = parsed.data
  if (message.type === 'stop') return control.stop()
  if (message.type === 'pause') return control.pause()
  if (message.type === 'resume') return control.resume()
  if (started) return
  started = true
  startJob(message)
    .catch((error: unknown) => send({ type: 'failed', error: describeFailure(error) }))
    .finally(exitAfterDrain)
})

function startJob(message: Exclude<ToWorker, { type: 'stop' | 'pause' | 'resume' }>): Promise<void> {
  switch (message.type) {
    case 'probe':
      return selectBackend(message.backend).then((report) => send({ type: 'probe', report }))
    case 'lr-find':
      return runLrFinderJob(message, (point, step) => send({ type: 'lr-find-point', step, steps: message.steps, ...point })).then((result) => send({ type: 'lr-find', result }))
    case 'ensemble':
      return runEnsembleJob(message).then((result) => send({ type: 'ensemble', ...result }))
    case 'start':
      return runTrainingJob(message, send, control)
  }
}
