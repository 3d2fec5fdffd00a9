import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import WebSocket from 'ws'
import { connectClient, startTestServer } from '../helpers/webHarness'
import { MAX_MESSAGE_BYTES } from '../../shared/api/wire'
import type { RunningWebServer } from '../../main/web/webServer'
import type { Workbench } from '../../main/services/workbench'

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function wsOpens(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => {
      ws.close()
      resolve(true)
    })
    ws.once('error', () => resolve(false))
  })
}

describe('web bridge under attack', () => {
  let server: RunningWebServer
  let workbench: Workbench
  beforeAll(async () => {
    ;({ server, workbench } = await startTestServer())
  })
  afterAll(async () => {
    workbench.close()
    await server.close()
  })

  it('refuses path-traversal run ids on every method that takes one', async () => {
    const client = await connectClient(server)
    const ids = ['../../etc/passwd', '..', '../runs', 'a/../../b', '..%2f..%2fetc', '/etc/passwd', 'C:\\Windows', 'run\u0000id', 'UPPER', '.hidden', 'x'.repeat(65)]
    for (const runId of ids) {
      for (const [method, request] of [
        ['runs.get', { runId }],
        ['training.stop', { runId }],
        ['predict.image', { runId, fileName: 'a.png', imageBase64: 'AAAA' }],
      ] as const) {
        const result = await client.call(method, request)
        expect(result, `${method} ${JSON.stringify(runId)}`).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
        expect(result.error?.message).toMatch(/run id must be lowercase letters, digits and dashes|runId/)
      }
    }
    client.close()
  })

  it('serves no file outside the UI folder, whatever the URL', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/assets/../../../../etc/passwd']) {
      const response = await get(server.port, `${path}?token=${server.token}`)
      expect(response.body, path).not.toMatch(/root:/)
      expect(response.status, path).not.toBe(200)
    }
  })

  it('requires the token on every HTTP request, not only the page', async () => {
    expect((await get(server.port, '/index.html')).status).toBe(401)
    expect((await get(server.port, '/assets/index.js')).status).toBe(401)
    expect((await get(server.port, `/?token=${'0'.repeat(server.token.length)}`)).status).toBe(401)
    expect((await get(server.port, '/', { cookie: 'workbench_token=wrong' })).status).toBe(401)
  })

  it('refuses cross-origin HTTP requests and foreign Host headers, even with the token', async () => {
    expect((await get(server.port, `/?token=${server.token}`, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await get(server.port, `/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(421)
    expect((await get(server.port, `/?token=${server.token}`, { host: `localhost:${server.port}` })).status).toBe(200)
    expect((await get(server.port, `/?token=${server.token}`, { host: `192.168.1.20:${server.port}` })).status).toBe(421) // loopback server
    const ws = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`
    expect(await wsOpens(ws)).toBe(true)
    expect(await wsOpens(ws, { origin: `http://127.0.0.1:${server.port}` })).toBe(true)
    expect(await wsOpens(ws, { host: `evil.example:${server.port}` })).toBe(false)
    expect(await wsOpens(ws, { origin: `http://localhost:${server.port}` })).toBe(false) // Origin must match Host
    expect(await wsOpens(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toBe(false)
  })

  it('drops an oversized WebSocket message (close code 1009) and keeps serving everyone else', async () => {
    const bystander = await connectClient(server)
    const attacker = await connectClient(server)
    const closed = new Promise<number>((resolve) => attacker.ws.once('close', (code) => resolve(code)))
    attacker.ws.send(JSON.stringify({ type: 'call', id: 1, method: 'predict.image', request: { imageBase64: 'A'.repeat(MAX_MESSAGE_BYTES) } }))
    expect(await closed).toBe(1009)
    expect((await bystander.call('runs.list', {})).ok).toBe(true)
    const fresh = await connectClient(server)
    expect((await fresh.call('system.info', {})).ok).toBe(true)
    bystander.close()
    fresh.close()
  })
})
