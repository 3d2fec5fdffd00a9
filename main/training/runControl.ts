/**
 * Stop and pause requests from the supervisor, as the training loop sees them between batches; and the
 * run's clock, which stands still while the loop waits paused, so no duration a run records holds a pause.
 */
export class RunControl {
  private stopRequested = false
  private resumeWaiters: (() => void)[] | undefined
  /** Milliseconds the loop has waited paused, waits that have ended. */
  private pausedMs = 0
  /** When the loop began its current paused wait; undefined while it trains. */
  private pausedSince: number | undefined

  constructor(private readonly clock: () => number = () => performance.now()) {}

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

  /** Resolves at once unless a pause was asked for; then when the run is resumed (or stopped). The wait is off the clock. */
  untilResumed(): Promise<void> {
    const waiters = this.resumeWaiters
    if (!waiters) return Promise.resolve()
    const since = this.clock()
    this.pausedSince ??= since
    return new Promise((resolve) =>
      waiters.push(() => {
        if (this.pausedSince !== undefined) this.pausedMs += this.clock() - this.pausedSince
        this.pausedSince = undefined
        resolve()
      }),
    )
  }

  /**
   * Milliseconds on the run's clock (from an arbitrary origin, like performance.now()): it stands still
   * from the moment the training loop stops at a pause until it is resumed.
   */
  now(): number {
    const current = this.clock()
    return current - this.pausedMs - (this.pausedSince === undefined ? 0 : current - this.pausedSince)
  }
}
