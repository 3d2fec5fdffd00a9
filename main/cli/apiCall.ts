import { dispatchApiCall } from '../services/apiDispatcher'
import type { Workbench } from '../services/workbench'

/** What a command needs from the CLI: the workbench (opened on first use) and a one-line failure. */
export type OpenWorkbench = () => Promise<Workbench>
export type Fail = (message: string) => never

/** Calls an API method as the app would; a refused call ends the command with the handler's message. */
export function apiCaller(open: OpenWorkbench, fail: Fail) {
  return async <T>(method: string, request: unknown): Promise<T> => {
    const result = await dispatchApiCall((await open()).handlers, method, request)
    return result.ok ? (result.value as T) : fail(result.error.message)
  }
}
