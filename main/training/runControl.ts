/** Stop and pause requests from the supervisor, as the training loop sees them between batches. */
export class RunControl {
  private stopRequested = false
  private resumeWaiters: (() => void)[] | undefined

  stop(): void {
    this.stopRequested = true
    this.resume() // a paused run must wake up to stop
  }

  pause(): void {
    this.resumeWaiters ??= []
  }

  resume(): void {
    const waiters = this.resumeWaiters ?? []
    this.resumeWaiters = undefined
    for (const wake of waiters) wake()
  }

  get shouldStop(): boolean {
    return this.stopRequested
  }

  untilResumed(): Promise<void> {
    const waiters = this.resumeWaiters
    if (!waiters) return Promise.resolve()
    return new Promise((resolve) => waiters.push(resolve))
  }
}
