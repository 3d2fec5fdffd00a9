import type { ApiHandlers } from './apiHandlerTypes'
import { exportRun, importRun } from './modelExchange'
import type { RunStore } from '../storage/runStore'
import type { InferenceService } from '../predict/inferenceService'
import type { UserPathGrants } from './userPathGrants'

/** Export and import of trained models: folders only where the user chose them (a dialog or a drop). */
export function createExchangeHandlers(store: RunStore, grants: UserPathGrants, inference: InferenceService): Pick<ApiHandlers, 'runs.export' | 'runs.import'> {
  return {
    'runs.export': async ({ runId, folder, format }) => exportRun(store, runId, await grants.resolve(folder), format),
    'runs.import': async ({ folder }) => importRun(store, inference, await grants.resolve(folder)),
  }
}
