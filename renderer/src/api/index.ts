import { createApiClient } from '../../../shared/api/client'
import type { WorkbenchApi } from '../../../shared/api/contract'
import { createElectronTransport } from './electronTransport'
import { createWebTransport, takeToken, webSocketUrlFromLocation } from './webTransport'

/** One view, two hosts: the same typed API over Electron IPC or over the web bridge. */
export function connectWorkbench(): WorkbenchApi {
  const transport = window.workbenchBridge
    ? createElectronTransport(window.workbenchBridge)
    : createWebTransport(webSocketUrlFromLocation(window.location, takeToken(window.location, window.sessionStorage, window.history)))
  return createApiClient(transport)
}
