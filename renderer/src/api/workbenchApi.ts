import { inject, type InjectionKey } from 'vue'
import type { WorkbenchApi } from '../../../shared/api/contract'

/** The one WorkbenchApi of this window, provided by `main.ts` for the current host. */
export const workbenchApiKey: InjectionKey<WorkbenchApi> = Symbol('workbench-api')

/** The app's WorkbenchApi; call from a component's or a setup store's `setup`. */
export function useWorkbenchApi(): WorkbenchApi {
  const api = inject(workbenchApiKey, null)
  if (!api) throw new Error('WorkbenchApi was not provided (see renderer/src/main.ts)')
  return api
}
