import type { RunSummary } from '../../../shared/api/schemas'

/**
 * Where a pool run trains or trained, in words; undefined for a local run (the default, not worth saying).
 * One wording for every view that names it: the run header, the Runs list, the history and Compare.
 */
export function poolPlace(run: Pick<RunSummary, 'place' | 'worker'>): string | undefined {
  if (run.place !== 'pool') return undefined
  return run.worker ? `pool worker ${run.worker}` : 'on the pool, waiting for a worker'
}
