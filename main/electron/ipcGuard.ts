import type { BrowserWindow, IpcMainEvent, IpcMainInvokeEvent } from 'electron'
import type { ApiResult } from '../../shared/api/contract'
import { requestShapeProblem, requestSizeProblem } from '../../shared/api/wire'
import { dispatchApiCall } from '../services/apiDispatcher'
import type { ApiHandlers } from '../services/apiHandlers'
import type { UserPathGrants } from '../services/userPathGrants'
import type { UrlCheck } from './windowSecurity'

export interface SenderPolicy {
  /** The one window whose page may call in. */
  window: () => BrowserWindow | undefined
  isOwnUrl: UrlCheck
}

/** Only our own page, in the main frame of our own window, may talk to main. */
export function isTrustedSender(event: IpcMainInvokeEvent | IpcMainEvent, policy: SenderPolicy): boolean {
  const window = policy.window()
  const frame = event.senderFrame
  if (!window || window.isDestroyed() || event.sender !== window.webContents) return false
  if (!frame || frame.parent !== null) return false
  return policy.isOwnUrl(frame.url)
}

/**
 * The handler behind the API's IPC channel: foreign senders refused, oversized or non-JSON requests
 * refused with a clear message, then the same validating dispatcher as the web bridge.
 */
export function createIpcCallHandler(policy: SenderPolicy, handlers: ApiHandlers) {
  return async (event: IpcMainInvokeEvent, method: unknown, request: unknown): Promise<ApiResult<unknown>> => {
    if (!isTrustedSender(event, policy)) {
      return { ok: false, error: { code: 'unauthorized', message: 'request from an unknown frame' } }
    }
    const name = typeof method === 'string' ? method.slice(0, 64) : 'request'
    // The shape first: encoding a million-key request to measure it would already cost what is refused.
    const tooLarge = requestShapeProblem(name, request) ?? requestSizeProblem(name, request)
    if (tooLarge) return { ok: false, error: { code: 'invalid-request', message: tooLarge } }
    return dispatchApiCall(handlers, method, request)
  }
}

const MAX_DROPPED_PATHS = 64
const MAX_PATH_LENGTH = 4096

/**
 * Dropped paths come from the preload (which reads them from a trusted drop event with
 * webUtils.getPathForFile); each becomes a grant the folder-dataset code may use.
 */
export function createDropHandler(policy: SenderPolicy, grants: UserPathGrants) {
  return async (event: IpcMainEvent, paths: unknown): Promise<string[]> => {
    if (!isTrustedSender(event, policy) || !Array.isArray(paths)) return []
    const granted: string[] = []
    for (const path of paths.slice(0, MAX_DROPPED_PATHS)) {
      if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_LENGTH) continue
      try {
        granted.push(await grants.grant(path, 'drop'))
      } catch {
        // A path that vanished between the drop and now is simply not granted.
      }
    }
    return granted
  }
}
