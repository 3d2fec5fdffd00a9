import type { RunResult, RunSummary, TrainConfig } from '../../shared/api/schemas'

/**
 * A completed ten-class run's record, as the store keeps it, without the training: e2e tests that only need
 * runs to show (tables, charts, dialogs) store these with their own metric curves. `index` orders them
 * (createdAt one millisecond apart) and picks their colour.
 */
export function completedRunSummary(
  runId: string,
  config: TrainConfig,
  index: number,
  { result = {}, name }: { result?: Partial<RunResult>; name?: string } = {},
): RunSummary {
  return {
    runId,
    config,
    status: 'completed',
    createdAt: new Date(Date.now() + index).toISOString(),
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    colorIndex: index,
    ...(name ? { name } : {}),
    result: { trainLoss: 0.3, trainAccuracy: 0.9, testLoss: 0.3, testAccuracy: 0.9 - index * 0.1, samplesPerSecond: 100, trainSeconds: 20, params: 61706, ...result },
  }
}
