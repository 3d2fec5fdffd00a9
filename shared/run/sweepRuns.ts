import type { SweepRequest } from '../api/sweep'
import { resolveRun, type ResolvedRun } from './resolveRun'

/** One run per combination of a sweep's values: its shared settings resolved once, then only the swept ones varied. */
export function expandSweep(sweep: SweepRequest): ResolvedRun[] {
  const base = resolveRun(sweep.config)
  const rates = sweep.learningRates ?? [base.learningRate]
  const sizes = sweep.batchSizes ?? [base.batchSize]
  return rates.flatMap((learningRate) => sizes.map((batchSize) => ({ ...base, learningRate, batchSize })))
}
