import type { RunSummary } from '../../../shared/api/schemas'
import { formatCount, formatElapsed, formatLoss, formatPercent } from './format'

/**
 * One row of Compare's final-metrics table: how to show a run's value, and, for the metrics where one
 * run can win, the number to compare and which way is better.
 */
export interface FinalMetric {
  label: string
  value: (run: RunSummary) => string
  best?: (run: RunSummary) => number | undefined
  higher?: boolean
}

export const FINAL_METRICS: readonly FinalMetric[] = [
  { label: 'Test accuracy', value: (r) => (r.result ? formatPercent(r.result.testAccuracy, 2) : '—'), best: (r) => r.result?.testAccuracy, higher: true },
  { label: 'Test loss', value: (r) => (r.result ? formatLoss(r.result.testLoss) : '—'), best: (r) => r.result?.testLoss, higher: false },
  { label: 'Best validation accuracy', value: (r) => (r.bestValidationAccuracy !== undefined ? formatPercent(r.bestValidationAccuracy, 2) : '—'), best: (r) => r.bestValidationAccuracy, higher: true },
  { label: 'Train accuracy', value: (r) => (r.result ? formatPercent(r.result.trainAccuracy, 2) : '—') },
  { label: 'Train loss', value: (r) => (r.result ? formatLoss(r.result.trainLoss) : '—') },
  { label: 'Training time', value: (r) => (r.result ? formatElapsed(r.result.trainSeconds) : '—'), best: (r) => r.result?.trainSeconds, higher: false },
  { label: 'Samples / s', value: (r) => (r.result ? formatCount(r.result.samplesPerSecond) : '—') },
  { label: 'Parameters', value: (r) => (r.result ? formatCount(r.result.params) : '—') },
  { label: 'Backend', value: (r) => r.backend?.name ?? '—' },
]

/** Whether `run` holds the best value of `metric` among `runs`; only when at least two runs have one to compare. */
export function isBestRun(metric: FinalMetric, run: RunSummary, runs: readonly RunSummary[]): boolean {
  if (!metric.best || runs.length < 2) return false
  const values = runs.map(metric.best).filter((v): v is number => v !== undefined)
  const mine = metric.best(run)
  if (mine === undefined || values.length < 2) return false
  return mine === (metric.higher ? Math.max(...values) : Math.min(...values))
}

/** Per-class test accuracy side by side: the runs that have it, and one row per class (named after the first run's classes). */
export interface PerClassTable {
  runs: RunSummary[]
  rows: { name: string; values: (number | undefined)[] }[]
}

export function perClassTable(runs: readonly RunSummary[]): PerClassTable {
  const withClasses = runs.filter((run) => run.result?.perClassAccuracy?.length)
  const classes = Math.max(0, ...withClasses.map((run) => run.result!.perClassAccuracy!.length))
  const names = withClasses[0]?.classNames ?? []
  return {
    runs: withClasses,
    rows: Array.from({ length: classes }, (_, index) => ({
      name: names[index] ?? String(index),
      values: withClasses.map((run) => run.result!.perClassAccuracy![index]),
    })),
  }
}
