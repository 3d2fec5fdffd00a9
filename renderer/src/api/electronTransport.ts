import type { Transport } from '../../../shared/api/client'
import type { ApiResult, MethodName } from '../../../shared/api/contract'

/** The narrow bridge the preload exposes as `window.workbenchBridge`. */
export interface PreloadBridge {
  call(method: MethodName, request: unknown): Promise<ApiResult<unknown>>
  onEvent(listener: (event: string, payload: unknown) => void): () => void
}

declare global {
  interface Window {
    workbenchBridge?: PreloadBridge
  }
}

export function createElectronTransport(bridge: PreloadBridge): Transport {
  return { send: (method, request) => bridge.call(method, request), subscribe: (listener) => bridge.onEvent(listener) }
}
