import type { MetricPoint } from '../../shared/api/schemas'

/**
 * Collects per-batch points and releases them at most every `intervalMs`, so a fast backend does not
 * flood the UI with thousands of messages a second; each release carries only the new points.
 */
export class ProgressThrottle {
  private pending: MetricPoint[] = []
  private lastFlush = 0

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(point: MetricPoint): MetricPoint[] | undefined {
    this.pending.push(point)
    if (this.now() - this.lastFlush < this.intervalMs) return undefined
    return this.flush()
  }

  flush(): MetricPoint[] {
    this.lastFlush = this.now()
    const points = this.pending
    this.pending = []
    return points
  }
}
