import { describe, expect, it } from 'vitest'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrainConfig } from '../../shared/api/schemas'
import { dispatchApiCall } from '../../main/services/apiDispatcher'
import { createWorkbench } from '../../main/services/workbench'
import { FakeWorker } from '../helpers/fakeWorker'
import { connectClient, useTestServer } from '../helpers/webHarness'

type Result = { ok: boolean; error?: { code: string; message: string } }

describe('one client cannot exhaust the server', () => {
  const context = useTestServer()

  it('a call that uploads nothing is refused over 1 MiB, before it is parsed', async () => {
    const client = await connectClient(context.server)
    const big = await client.call('runs.list', { pad: 'x'.repeat(2 * 2 ** 20) })
    expect(big).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(big.error?.message).toMatch(/runs\.list: the message is 2\.0 MiB, more than the 1 MiB this method accepts/)
    // Not JSON at all past its head: refused for its size, so it was never handed to JSON.parse.
    const unparsed = (await client.sendRaw(`{"type":"call","id":5,"method":"runs.list","request":${'['.repeat(2 * 2 ** 20)}`, 5)) as Result
    expect(unparsed.error?.message).toMatch(/more than the 1 MiB/)
    // Naming an upload method up front does not buy the large limit for another method.
    const disguised = (await client.sendRaw(JSON.stringify({ type: 'call', id: 6, request: { method: 'predict.image', pad: 'x'.repeat(2 * 2 ** 20) }, method: 'runs.list' }), 6)) as Result
    expect(disguised.error?.message).toMatch(/runs\.list: the message is 2\.0 MiB, more than the 1 MiB/)
    // An image upload may still be megabytes.
    const upload = await client.call('predict.image', { runId: 'no-such-run', fileName: 'a.png', imageBase64: 'A'.repeat(4 * 2 ** 20) })
    expect(upload.error?.code).toBe('not-found')
    expect((await client.call('runs.list', {})).ok).toBe(true)
    client.close()
  })

  it('deep nesting and huge key counts are refused before validation, with what is wrong', async () => {
    const client = await connectClient(context.server)
    // Written by hand: JSON.stringify itself runs out of stack on such a value.
    const deep = (await client.sendRaw(`{"type":"call","id":77,"method":"runs.list","request":{"nested":${'['.repeat(5000)}1${']'.repeat(5000)}}}`, 77)) as Result
    expect(deep.error?.message).toBe('runs.list: the request is nested more than 32 levels deep')
    const keys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))
    const wide = await client.call('predict.image', { runId: 'abc', fileName: 'a.png', imageBase64: 'AAAA', keys })
    // An upload's request is a handful of fields around one base64 string: its budget is far smaller.
    expect(wide.error?.message).toBe("predict.image: an upload's image travels as one base64 string, and its request holds more than 64 values (array items and object keys)")
    const items = await client.call('inspect.image', { runId: 'abc', fileName: 'a.png', imageBase64: 'AAAA', list: new Array(300_000).fill(0) })
    expect(items.error?.message).toMatch(/more than 64 values/)
    const config = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i]))
    const tooMany = await client.call('runs.update', { runId: 'abc', name: 'x', config })
    expect(tooMany.error?.message).toMatch(/more than 20,000 values/)
    expect((await client.call('system.info', {})).ok).toBe(true)
    client.close()
  })

  it('process-spawning calls wait in a queue: two processes at a time, the rest refused past eight waiting', async () => {
    const workers: FakeWorker[] = []
    let live = 0
    let mostLive = 0
    const launch = () => {
      const worker = new FakeWorker()
      workers.push(worker)
      mostLive = Math.max(mostLive, ++live)
      worker.onExit(() => live--)
      return worker
    }
    const workbench = await createWorkbench({ dataDir: await mkdtemp(join(tmpdir(), 'spawn-queue-')), launchWorker: launch, mode: 'web' })
    const config = TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.05 })
    const calls = Array.from({ length: 20 }, () => dispatchApiCall(workbench.handlers, 'training.findLearningRate', { config }))
    const settled: Result[] = []
    calls.forEach((call, i) => void call.then((result) => (settled[i] = result as Result)))
    // End each started worker in turn (it "crashes"): the next waiting call may then start one.
    for (let ended = 0; settled.filter(Boolean).length < 20; ) {
      await new Promise((resolve) => setImmediate(resolve))
      if (workers.length > ended) workers[ended++].exit(1, null)
    }
    expect(mostLive).toBeLessThanOrEqual(2)
    expect(settled.filter((r) => r.error?.code === 'unavailable')).toHaveLength(10)
    expect(settled.find((r) => r.error?.code === 'unavailable')?.error?.message).toMatch(/training\.findLearningRate: 8 such calls are already waiting/)
    expect(workers).toHaveLength(10)
    workbench.close()
  })
})

describe('malformed call messages', () => {
  const context = useTestServer()

  it('say what is wrong and never echo an invalid id', async () => {
    const client = await connectClient(context.server)
    const cases: [unknown, number, RegExp][] = [
      [{ type: 'call', id: -5, method: 'runs.list' }, 0, /^malformed call message: id: /],
      [{ type: 'call', id: 1.5, method: 'runs.list' }, 0, /^malformed call message: id: /],
      [{ type: 'call', id: 1e300, method: 'runs.list' }, 0, /^malformed call message: id: /],
      [{ type: 'call', id: 3, method: 5 }, 3, /^malformed call message: method: /],
      [{ type: 'cal', id: 4, method: 'runs.list' }, 4, /^malformed call message: type: /],
    ]
    for (const [message, id, pattern] of cases) {
      const received = new Promise<{ id: number; result: Result }>((resolve) => client.ws.once('message', (data) => resolve(JSON.parse(data.toString()))))
      client.ws.send(JSON.stringify(message))
      const reply = await received
      expect(reply.id, JSON.stringify(message)).toBe(id)
      expect(reply.result.error?.message, JSON.stringify(message)).toMatch(pattern)
    }
    client.close()
  })
})
