import type { WorkerHandle, WorkerLauncher } from '../../main/processes/workerLauncher'

/** A training worker that does nothing on its own: the test says what it reports and when it dies. */
export class FakeWorker implements WorkerHandle {
  readonly pid = undefined
  readonly received: unknown[] = []
  killed = false
  private readonly messageListeners: ((message: unknown) => void)[] = []
  private readonly exitListeners: ((code: number | null, signal: string | null) => void)[] = []

  send(message: unknown): void {
    this.received.push(message)
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener)
  }
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.exitListeners.push(listener)
  }
  kill(): void {
    if (this.killed) return
    this.killed = true
    setTimeout(() => this.exit(null, 'SIGKILL'), 5)
  }
  /** The worker says something to the supervisor. */
  report(message: unknown): void {
    for (const listener of this.messageListeners) listener(message)
  }
  exit(code: number | null, signal: string | null): void {
    for (const listener of this.exitListeners) listener(code, signal)
  }
}

export function fakeWorkerLauncher(): { launch: WorkerLauncher; workers: FakeWorker[] } {
  const workers: FakeWorker[] = []
  return {
    workers,
    launch: () => {
      const worker = new FakeWorker()
      workers.push(worker)
      return worker
    },
  }
}

export function progressMessage(fromSample: number, count = 3, batch = 64) {
  const points = Array.from({ length: count }, (_, i) => ({ samples: fromSample + (i + 1) * batch, epoch: 0.1, loss: 2 - i * 0.1, accuracy: 0.1 + i * 0.01 }))
  const samplesSeen = points.at(-1)!.samples
  return { type: 'progress', epoch: 1, samplesSeen, totalSamples: 60_000, samplesPerSecond: 1000, etaSeconds: 10, points }
}
