import type { ApiResult, MethodName } from '../../../shared/api/contract'
import { ServerMessage } from '../../../shared/api/wire'
import type { Transport } from '../../../shared/api/client'

/** The web bridge: one WebSocket, calls matched to replies by id, events pushed by the server. */
export function createWebTransport(url: string): Transport {
  const listeners = new Set<(event: string, payload: unknown) => void>()
  const pending = new Map<number, (result: ApiResult<unknown>) => void>()
  let nextId = 1
  let socket: WebSocket | undefined
  let opened: Promise<WebSocket> | undefined

  function connect(): Promise<WebSocket> {
    if (opened) return opened
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.onopen = () => resolve(ws)
      ws.onerror = () =>
        reject(
          new Error(
            /[?&]token=(&|$)/.test(url)
              ? 'this tab has no access token: open the address the workbench printed when it started (it ends in ?token=…)'
              : 'cannot reach the workbench server',
          ),
        )
      ws.onclose = (event) => {
        opened = undefined
        socket = undefined
        // 1009: the server refused a message larger than it accepts (see MAX_MESSAGE_BYTES).
        const message =
          event.code === 1009 ? 'the workbench server refused a request that was too large' : 'connection to the workbench server closed'
        for (const [id, settle] of pending) {
          pending.delete(id)
          settle({ ok: false, error: { code: event.code === 1009 ? 'invalid-request' : 'unavailable', message } })
        }
      }
      ws.onmessage = (message) => {
        const parsed = ServerMessage.safeParse(JSON.parse(String(message.data)))
        if (!parsed.success) return
        const data = parsed.data
        if (data.type === 'result') {
          pending.get(data.id)?.(data.result as ApiResult<unknown>)
          pending.delete(data.id)
        } else {
          for (const listener of listeners) listener(data.event, data.payload)
        }
      }
      socket = ws
    })
    return opened
  }

  return {
    async send(method: MethodName, request: unknown) {
      const ws = socket?.readyState === WebSocket.OPEN ? socket : await connect()
      const id = nextId++
      return new Promise<ApiResult<unknown>>((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ type: 'call', id, method, request }))
      })
    },
    subscribe(listener) {
      listeners.add(listener)
      void connect().catch(() => undefined)
      return () => listeners.delete(listener)
    },
  }
}

/** Where this tab keeps the server's token: sessionStorage is bound to this origin, port included. */
export const TOKEN_STORAGE_KEY = 'workbench-token'

/**
 * The token the server printed in its URL: taken from the address once, kept in sessionStorage, and
 * removed from the address bar (so it is not left in history or bookmarks). A reload without `?token=`
 * finds it again in sessionStorage. It is never put in a cookie: browsers send cookies to every port of a
 * host, so another local service would receive it.
 */
export function takeToken(location: Pick<Location, 'search' | 'pathname' | 'hash'>, storage: Pick<Storage, 'getItem' | 'setItem'>, history?: Pick<History, 'replaceState'>): string {
  const params = new URLSearchParams(location.search)
  const fromUrl = params.get('token')
  if (fromUrl) {
    storage.setItem(TOKEN_STORAGE_KEY, fromUrl)
    params.delete('token')
    const query = params.toString()
    history?.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
    return fromUrl
  }
  return storage.getItem(TOKEN_STORAGE_KEY) ?? ''
}

export function webSocketUrlFromLocation(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${protocol}//${location.host}/ws?token=${encodeURIComponent(token)}`
}
