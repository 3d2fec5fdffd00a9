import { describe, expect, it } from 'vitest'
import { connectClient, useTestServer } from '../helpers/webHarness'

const config = { arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 64, learningRate: 0.05, limit: 1280, backend: 'wasm', seed: 9 }

describe('10 clients following one run', () => {
  const context = useTestServer()

  it('each sees the same events of the run, in the same order', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => connectClient(context.server)))
    const started = await clients[3].call('training.start', config)
    expect(started.ok).toBe(true)
    const { runId } = started.value as { runId: string }
    const ofRun = (client: (typeof clients)[number]) => client.events.filter((e) => (e.payload as { runId?: string }).runId === runId)
    const ended = (client: (typeof clients)[number]) =>
      ofRun(client).some((e) => e.event === 'run.status' && ['completed', 'failed', 'interrupted'].includes((e.payload as { status: string }).status))
    const deadline = Date.now() + 50_000
    while (!clients.every(ended) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))

    const reference = ofRun(clients[0])
    expect(reference.at(-1)).toMatchObject({ event: 'run.status', payload: { status: 'completed' } })
    const progress = reference.filter((e) => e.event === 'run.progress').map((e) => e.payload as { samplesSeen: number; points: { samples: number }[] })
    expect(progress.length).toBeGreaterThan(1)
    expect(reference.filter((e) => e.event === 'run.epoch')).toHaveLength(2)
    // Ordered: every point once, in training order, across all progress events.
    const samples = progress.flatMap((p) => p.points.map((point) => point.samples))
    expect(samples.length).toBe(2 * (1280 / 64))
    for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThan(samples[i - 1])
    for (const client of clients) expect(ofRun(client)).toEqual(reference)
    for (const client of clients) client.close()
  }, 60_000)
})
