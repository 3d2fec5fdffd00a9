import { createServer, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { isIP, type AddressInfo } from 'node:net'
import sirv from 'sirv'
import { WebSocketServer, type WebSocket } from 'ws'
import { describeValidationError } from '../../shared/api/contract'
import { ClientMessage, declaredId, declaredMethod, MAX_MESSAGE_BYTES, messageLimitFor, type ServerMessage } from '../../shared/api/wire'
import { rawRequestShapeProblem } from '../../shared/api/rawJsonBudget'
import { dispatchApiCall } from '../services/apiDispatcher'
import { ScanAbandonment } from './scanAbandonment'
import type { Workbench } from '../services/workbench'

export interface WebServerOptions {
  workbench: Workbench
  /** The built renderer (out/renderer). */
  rendererDir: string
  host?: string
  port?: number
  token?: string
  /** Extra DNS names browsers may use to reach this server (besides localhost and IP addresses). */
  allowedHostnames?: string[]
}

export interface RunningWebServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** An IPv6 address in a URL or Host header is bracketed. */
function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host
}

/**
 * The web bridge: the same services as the Electron window, over HTTP (the built renderer) and one
 * WebSocket (calls and events). Loopback only unless asked; Host/Origin must name this server, so a web
 * page elsewhere cannot drive it (DNS rebinding).
 *
 * The token guards the WebSocket, the only way to data and actions. The UI's files are the app's own code
 * and are served without it, and no cookie is set: browsers send a cookie to every port of the host, so it
 * would reach any other local service the user visits. The page takes the token from its URL once and
 * keeps it in sessionStorage (bound to this origin, port included), so a reload keeps working.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('hex')
  const serveStatic = sirv(options.rendererDir, { dev: false, etag: true, single: false })
  let port = 0
  const wildcard = host === '0.0.0.0' || host === '::'
  const namedHosts = new Set(['localhost', '127.0.0.1', '[::1]', hostForUrl(host).toLowerCase(), ...(options.allowedHostnames ?? []).map((h) => h.toLowerCase())])
  /**
   * DNS rebinding: a hostile page reaching us through its own domain name carries that name in Host.
   * So Host must be a name we know, or an IP address when we listen on every interface.
   */
  const hostAllowed = (header: string | undefined) => {
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(header ?? '')
    if (!match || Number(match[2] ?? 80) !== port) return false
    const name = match[1].toLowerCase()
    return namedHosts.has(name) || (wildcard && isIP(name.replace(/^\[|\]$/g, '')) !== 0)
  }
  /** Browsers always send Origin on WebSockets and cross-site requests: it must be this very server. */
  const originAllowed = (origin: string | undefined, hostHeader: string | undefined) => origin === undefined || origin === `http://${hostHeader}`

  const refuse = (response: ServerResponse, status: number, message: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
    response.end(message)
  }

  const server = createServer((request, response) => {
    if (!hostAllowed(request.headers.host)) return refuse(response, 421, 'unexpected Host header')
    if (!originAllowed(request.headers.origin, request.headers.host)) return refuse(response, 403, 'cross-origin request refused')
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'only the UI is served over HTTP')
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY)
    response.setHeader('x-content-type-options', 'nosniff')
    response.setHeader('referrer-policy', 'no-referrer')
    response.setHeader('x-frame-options', 'DENY')
    response.setHeader('cross-origin-opener-policy', 'same-origin')
    response.setHeader('cross-origin-resource-policy', 'same-origin')
    serveStatic(request, response, () => refuse(response, 404, 'not found'))
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const scans = new ScanAbandonment((dataset) => options.workbench.data.cancelScan(dataset, 'cancelled: the client that asked for it left'))
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://placeholder')
    const hostHeader = request.headers.host
    if (url.pathname !== '/ws' || !hostAllowed(hostHeader) || !originAllowed(request.headers.origin, hostHeader) || !sameToken(url.searchParams.get('token'), token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attachClient(ws, options.workbench, scans))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const displayHost = wildcard ? '127.0.0.1' : hostForUrl(host)
  return {
    url: `http://${displayHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const client of sockets.clients) client.terminate()
      await new Promise<void>((resolve) => sockets.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function attachClient(ws: WebSocket, workbench: Workbench, scans: ScanAbandonment): void {
  const scanCalls = scans.client()
  ws.on('close', () => scanCalls.leave())
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }
  const unsubscribe = workbench.events.subscribe((event, payload) => send({ type: 'event', event, payload }))
  ws.on('close', unsubscribe)
  // A protocol error (an oversized or malformed frame) ends this one connection, never the server:
  // ws has already sent the close frame (1009, 1002, ...); without a listener the error would be thrown.
  ws.on('error', () => ws.terminate())
  ws.on('message', async (data) => {
    const refuse = (id: number, message: string) => send({ type: 'result', id, result: { ok: false, error: { code: 'invalid-request', message } } })
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    const bytes = buffer.length
    // Only calls that upload an image may be megabytes: the limit is known from the message's first bytes,
    // before the whole of it is decoded or parsed.
    const head = buffer.subarray(0, 512).toString()
    const declared = declaredMethod(head)
    const limit = messageLimitFor(declared ?? '')
    if (bytes > limit) {
      return refuse(declaredId(head), `${declared ?? 'call'}: the message is ${(bytes / 2 ** 20).toFixed(1)} MiB, more than the ${limit / 2 ** 20} MiB this method accepts`)
    }
    // Depth and value budgets hold while reading: a million keys are refused before JSON.parse builds them.
    const shapeProblem = rawRequestShapeProblem(buffer, declared ?? 'call')
    if (shapeProblem) return refuse(declaredId(head), shapeProblem)
    const text = buffer.toString()
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      return refuse(0, 'message is not JSON')
    }
    const parsed = ClientMessage.safeParse(raw)
    if (!parsed.success) {
      // The id is echoed only when it is a valid one: anything else the client sent stays unrepeated.
      const id = ClientMessage.shape.id.safeParse((raw as { id?: unknown })?.id)
      return refuse(id.success ? id.data : 0, `malformed call message: ${describeValidationError(parsed.error)}`)
    }
    if (bytes > messageLimitFor(parsed.data.method)) {
      return refuse(parsed.data.id, `${parsed.data.method}: the message is ${(bytes / 2 ** 20).toFixed(1)} MiB, more than the ${messageLimitFor(parsed.data.method) / 2 ** 20} MiB this method accepts`)
    }
    const { method, request } = parsed.data
    const result = await scanCalls.track(ScanAbandonment.scannedBy(method, request), dispatchApiCall(workbench.handlers, method, request))
    send({ type: 'result', id: parsed.data.id, result })
  })
}
