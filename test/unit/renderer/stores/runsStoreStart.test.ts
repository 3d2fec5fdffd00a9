import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createApp } from 'vue'
import { TrainConfig, type RunSummary } from '../../../../shared/api/schemas'
import { workbenchApiKey } from '../../../../renderer/src/composables/useWorkbenchApi'
import { useRunsStore } from '../../../../renderer/src/stores/runs'

const config = TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 32, learningRate: 0.1 })
const summary = (runId: string, extra: Partial<RunSummary> = {}): RunSummary => ({
  runId,
  config,
  status: 'queued',
  createdAt: '2024-01-01T00:00:00.000Z',
  classNames: [],
  ...extra,
})

/** A store over a fake API that records every call; the runs it knows are those started or swept. */
function setup() {
  const calls: { method: string; request: Record<string, unknown> }[] = []
  const stored: Record<string, RunSummary> = {}
  let next = 0
  const call = async (method: string, request: Record<string, unknown>) => {
    calls.push({ method, request })
    switch (method) {
      case 'training.start': {
        const runId = `run-${++next}`
        stored[runId] = summary(runId)
        return { runId }
      }
      case 'training.sweep':
        for (const runId of ['sweep-a', 'sweep-b']) stored[runId] = summary(runId)
        return { runIds: ['sweep-a', 'sweep-b'] }
      case 'runs.update': {
        const runId = request.runId as string
        stored[runId] = { ...stored[runId]!, name: request.name as string, tags: request.tags as string[] }
        return stored[runId]
      }
      case 'runs.list':
        return Object.values(stored)
      case 'runs.get':
        return { ...stored[request.runId as string]!, points: [], epochs: [] }
      default:
        throw new Error(`unexpected ${method}`)
    }
  }
  const app = createApp({})
  app.provide(workbenchApiKey, { call, on: () => () => undefined } as never)
  const pinia = createPinia()
  app.use(pinia)
  setActivePinia(pinia)
  return { store: useRunsStore(), calls }
}

describe('starting runs through the store', () => {
  it('queues a named, tagged run without making it current', async () => {
    const { store, calls } = setup()
    const runId = await store.queueRun(config, { name: 'LR: high', tags: ['experiment', 'lr'] })
    expect(calls.map((c) => c.method)).toEqual(['training.start', 'runs.update'])
    expect(store.runs[runId]).toMatchObject({ name: 'LR: high', tags: ['experiment', 'lr'] })
    expect(store.series[runId]).toBeDefined()
    expect(store.currentRunId).toBeNull()
  })
  it('sweeps, learns the new runs and makes the first current', async () => {
    const { store, calls } = setup()
    const runIds = await store.startSweep({ config, learningRates: [0.1, 0.01] })
    expect(runIds).toEqual(['sweep-a', 'sweep-b'])
    expect(calls[0]).toMatchObject({ method: 'training.sweep', request: { learningRates: [0.1, 0.01] } })
    expect(Object.keys(store.runs).sort()).toEqual(['sweep-a', 'sweep-b'])
    expect(store.currentRunId).toBe('sweep-a')
  })
})
