import { describeValidationError } from '../../shared/api/contract'
import { runTrainingJob } from './trainingJob'
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

let stopRequested = false
let started = false

onMessage((raw) => {
  const parsed = ToWorker.safeParse(raw)
  if (!parsed.success) {
    send({ type: 'failed', error: `training worker received a malformed message: ${describeValidationError(parsed.error)}` })
    return
  }
  const message = parsed.data
  if (message.type === 'stop') {
    stopRequested = true
    return
  }
  if (started) return
  started = true
  runTrainingJob(message.config, message.runDir, send, () => stopRequested)
    .catch((error: unknown) => send({ type: 'failed', error: error instanceof Error ? error.message : String(error) }))
    .finally(exitAfterDrain)
})
