import { FromWorker, type ToWorker } from './workerProtocol'
import type { WorkerLauncher } from '../processes/workerLauncher'

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>

/**
 * Runs one short job (backend probe, learning-rate finder) in a fresh worker process and resolves with
 * its single reply, so that native backends and heavy compute stay out of the app's own process.
 */
export function runOneShotJob<T extends FromWorker['type']>(
  launch: WorkerLauncher,
  message: ToWorker,
  replyType: T,
  /** The job's other messages on the way (the range test's points). */
  onMessage?: (message: FromWorker) => void,
): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const worker = launch()
    let settled = false
    worker.onMessage((raw) => {
      const parsed = FromWorker.safeParse(raw)
      if (!parsed.success || settled) return
      if (parsed.data.type === replyType) {
        settled = true
        resolve(parsed.data as Reply<T>)
      } else if (parsed.data.type === 'failed') {
        settled = true
        reject(new Error(parsed.data.error))
      } else {
        onMessage?.(parsed.data)
      }
    })
    worker.onExit((code, signal) => {
      if (!settled) reject(new Error(`the worker process ${signal ? `was killed (${signal})` : `exited with code ${code}`} before answering`))
    })
    worker.send(message)
  })
}
