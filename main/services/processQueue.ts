import { UnavailableError } from './serviceErrors'

/**
 * Calls that start a process (the system doctor's backend probe, the learning-rate finder) wait their
 * turn here: a client firing twenty of them starts `concurrency` processes, not twenty, and calls beyond
 * `maxWaiting` are refused at once rather than piling up.
 */
export class ProcessQueue {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    readonly concurrency = 1,
    readonly maxWaiting = 8,
  ) {}

  async run<T>(what: string, job: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new UnavailableError(`${what}: ${this.waiting.length} such calls are already waiting for a process; try again when they have finished`)
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else this.active++
    try {
      return await job()
    } finally {
      // The slot passes straight to the next caller, or is freed.
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}
