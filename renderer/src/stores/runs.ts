import { defineStore } from 'pinia'
import { inject } from 'vue'
import { workbenchApiKey } from '../api/workbenchApi'
import { useRunRecords } from './runRecords'
import { useRunRequests } from './runRequests'

export type { RunSeries } from './runRecords'

/**
 * Runs and their metric series. Live events are applied as they come (`applyStatus`,
 * `applyProgress`, `applyEpoch`: progress carries only new points, which are appended); a run's
 * full history is loaded with `runs.get` when it is selected and merged with whatever arrived live.
 * The state and its merging live in runRecords.ts, the API requests in runRequests.ts.
 */
export const useRunsStore = defineStore('runs', () => {
  const records = useRunRecords()
  const requests = useRunRequests(inject(workbenchApiKey, null), records)
  return {
    ...records.state,
    ...records.derived,
    ...records.events,
    ...requests,
    seriesOf: records.seriesOf,
  }
})
