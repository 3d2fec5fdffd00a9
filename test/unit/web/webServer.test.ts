import { describe, expect, it } from 'vitest'
import { connectClient, httpGet, useTestServer, webSocketOpens } from '../../helpers/webHarness'

describe('web bridge', () => {
  const context = useTestServer()

  it('binds loopback and prints a URL with the token', () => {
    expect(context.server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${context.server.port}/\\?token=[0-9a-f]{48}$`))
  })

  it('serves the UI (the app code) with a CSP and never a cookie, with or without the token', async () => {
    for (const path of ['/', `/?token=${context.server.token}`, '/index.html']) {
      const page = await httpGet(context.server.port, path)
      expect(page.status, path).toBe(200)
      expect(page.body).toContain('CNN Workbench')
      expect(page.headers['set-cookie'], path).toBeUndefined()
      expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    }
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await httpGet(context.server.port, `/?token=${context.server.token}`, { host: 'evil.example:80' })).status).toBe(421)
  })

  it('refuses WebSockets without the token, with a wrong one, or from a foreign origin', async () => {
    const base = `ws://127.0.0.1:${context.server.port}/ws`
    expect(await webSocketOpens(base)).toBe(false)
    expect(await webSocketOpens(`${base}?token=wrong`)).toBe(false)
    expect(await webSocketOpens(`${base}?token=${context.server.token}`, { origin: 'http://evil.example' })).toBe(false)
  })

  it('answers calls over the WebSocket', async () => {
    const client = await connectClient(context.server)
    const archs = await client.call('arch.list', {})
    expect(archs.ok).toBe(true)
    // The whole zoo, each at its notes input size with 10 classes.
    expect((archs.value as { id: string; params: number }[]).map((a) => [a.id, a.params]).slice(0, 3)).toEqual([
      ['lenet5', 61706],
      ['lenet-relu', 61706],
      ['bn-lenet', 62158],
    ])
    expect((archs.value as unknown[]).length).toBe(12)
    const missing = await client.call('runs.get', { runId: 'no-such-run' })
    expect(missing.error?.code).toBe('not-found')
    client.close()
  })

  it('answers 1,000 random and malformed payloads with validation errors and keeps serving', async () => {
    const client = await connectClient(context.server)
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const junk = [null, 1, -1, 1e308, 'x', '', [], {}, { runId: '../../etc/passwd' }, { epochs: -5 }, true, { arch: {} }]
    const methods = ['training.start', 'runs.get', 'predict.image', 'training.stop', 'nope', '__proto__', 'constructor', 42]
    for (let i = 0; i < 1000; i++) {
      const id = 10_000 + i
      const method = methods[Math.floor(random() * methods.length)]
      const body = junk[Math.floor(random() * junk.length)]
      const text = i % 10 === 0 ? `{"type":"call","id":${id},"method":` : JSON.stringify({ type: 'call', id, method, request: body })
      if (i % 10 === 0) {
        client.ws.send(text)
        continue
      }
      const result = (await client.sendRaw(text, id)) as { ok: boolean; error?: { code: string } }
      expect(result.ok).toBe(false)
      expect(['invalid-request', 'not-found']).toContain(result.error?.code)
    }
    expect((await client.call('runs.list', {})).ok).toBe(true)
    client.close()
  })
})
