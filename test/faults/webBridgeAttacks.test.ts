import { describe, expect, it } from 'vitest'
import { connectClient, httpGet, useTestServer, webSocketOpens } from '../helpers/webHarness'
import { MAX_MESSAGE_BYTES } from '../../shared/api/wire'



describe('web bridge under attack', () => {
  const context = useTestServer()

  it('refuses path-traversal run ids on every method that takes one', async () => {
    const client = await connectClient(context.server)
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
      const response = await httpGet(context.server.port, `${path}?token=${context.server.token}`)
      expect(response.body, path).not.toMatch(/root:/)
      expect(response.status, path).not.toBe(200)
    }
  })

  it('the token guards the WebSocket, and no HTTP answer carries it (no cookie: cookies reach every port)', async () => {
    const ws = `ws://127.0.0.1:${context.server.port}/ws`
    expect(await webSocketOpens(ws)).toBe(false)
    expect(await webSocketOpens(`${ws}?token=${'0'.repeat(context.server.token.length)}`)).toBe(false)
    // A cookie, the old way, is no credential.
    expect(await webSocketOpens(ws, { cookie: `workbench_token=${context.server.token}` })).toBe(false)
    for (const path of ['/', `/?token=${context.server.token}`, '/index.html', '/assets/index.js']) {
      const response = await httpGet(context.server.port, path)
      expect(response.headers['set-cookie'], path).toBeUndefined()
      expect(response.body, path).not.toContain(context.server.token)
    }
  })

  it('refuses cross-origin HTTP requests and foreign Host headers, even with the token', async () => {
    expect((await httpGet(context.server.port, `/?token=${context.server.token}`, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await httpGet(context.server.port, `/?token=${context.server.token}`, { host: `evil.example:${context.server.port}` })).status).toBe(421)
    expect((await httpGet(context.server.port, `/?token=${context.server.token}`, { host: `localhost:${context.server.port}` })).status).toBe(200)
    expect((await httpGet(context.server.port, `/?token=${context.server.token}`, { host: `192.168.1.20:${context.server.port}` })).status).toBe(421) // loopback server
    const ws = `ws://127.0.0.1:${context.server.port}/ws?token=${context.server.token}`
    expect(await webSocketOpens(ws)).toBe(true)
    expect(await webSocketOpens(ws, { origin: `http://127.0.0.1:${context.server.port}` })).toBe(true)
    expect(await webSocketOpens(ws, { host: `evil.example:${context.server.port}` })).toBe(false)
    expect(await webSocketOpens(ws, { origin: `http://localhost:${context.server.port}` })).toBe(false) // Origin must match Host
    expect(await webSocketOpens(`ws://127.0.0.1:${context.server.port}/other?token=${context.server.token}`)).toBe(false)
  })

  it('drops an oversized WebSocket message (close code 1009) and keeps serving everyone else', async () => {
    const bystander = await connectClient(context.server)
    const attacker = await connectClient(context.server)
    const closed = new Promise<number>((resolve) => attacker.ws.once('close', (code) => resolve(code)))
    attacker.ws.send(JSON.stringify({ type: 'call', id: 1, method: 'predict.image', request: { imageBase64: 'A'.repeat(MAX_MESSAGE_BYTES) } }))
    expect(await closed).toBe(1009)
    expect((await bystander.call('runs.list', {})).ok).toBe(true)
    const fresh = await connectClient(context.server)
    expect((await fresh.call('system.info', {})).ok).toBe(true)
    bystander.close()
    fresh.close()
  })
})
