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
      ws.onerror = () => reject(new Error('cannot reach the workbench server'))
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

export function webSocketUrlFromLocation(location: Location): string {
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${protocol}//${location.host}/ws?token=${encodeURIComponent(token)}`
}
