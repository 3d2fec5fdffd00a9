import { availableParallelism } from 'node:os'
import type { WorkerLauncher } from '../processes/workerLauncher'
import type { RunRecorder, TrackedRun } from './runRecorder'

/**
 * Who trains next here: local runs wait in line and each starts in its own worker process, at most
 * `maxConcurrent` at once. Pool runs never wait here (the pool has its own queue) and take no turn.
 */
export class RunQueue {
  private readonly waiting: TrackedRun[] = []

  constructor(
    private readonly recorder: RunRecorder,
    private readonly launchWorker: WorkerLauncher,
    private readonly maxConcurrent: number,
  ) {}

  add(run: TrackedRun): void {
    this.waiting.push(run)
    this.launchNext()
  }

  /** A run has ended: out of the line if it was still waiting, and its turn goes to the next. */
  ended(run: TrackedRun): void {
    const index = this.waiting.indexOf(run)
    if (index >= 0) this.waiting.splice(index, 1)
    this.launchNext()
  }

  /** Nobody waiting starts any more (the workbench is closing). */
  clear(): void {
    this.waiting.length = 0
  }

  private launchNext(): void {
    const running = [...this.recorder.live.values()].filter((run) => run.worker && run.summary.place !== 'pool').length
    for (let free = this.maxConcurrent - running; free > 0 && this.waiting.length; free--) {
      const run = this.waiting.shift()!
      this.recorder.startOn(run, this.launchWorker(), this.kernelThreads())
      this.recorder.update(run, { status: 'running' })
    }
  }

  /** Runs training side by side share the cores: every native kernel thread more than a core spins idle. */
  private kernelThreads(): number | undefined {
    return this.maxConcurrent > 1 ? Math.max(1, Math.floor(availableParallelism() / this.maxConcurrent)) : undefined
  }
}
