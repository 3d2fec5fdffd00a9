import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createApp } from 'vue'
import type { WorkbenchApi } from '../../../../shared/api/contract'
import { TrainConfig, type MetricPoint, type RunDetail, type RunSummary } from '../../../../shared/api/schemas'
import { workbenchApiKey } from '../../../../renderer/src/composables/useWorkbenchApi'
import { appendNewPoints, epochMarkers, progressPercent, samplesPerEpoch } from '../../../../renderer/src/logic/metrics'
import { useRunsStore } from '../../../../renderer/src/stores/runs'

const point = (samples: number, loss = 1, accuracy = 0.5): MetricPoint => ({ samples, epoch: 1, loss, accuracy })

function summary(runId: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    runId,
    config: TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 2, batchSize: 100, learningRate: 0.9 }),
    status: 'running',
    createdAt: '2024-01-01T00:00:00.000Z',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    ...overrides,
  }
}

function progress(runId: string, points: MetricPoint[], samplesSeen = points.at(-1)?.samples ?? 0) {
  return { runId, epoch: 1, epochs: 2, samplesSeen, totalSamples: 1000, samplesPerSecond: 100, etaSeconds: 5, points }
}

let details: Record<string, RunDetail> = {}

function setup() {
  const api: WorkbenchApi = {
    call: (async (method: string, request: { runId?: string }) => {
      if (method === 'runs.get') return details[request.runId!]
      if (method === 'runs.list') return Object.values(details).map(({ points: _p, epochs: _e, ...run }) => run)
      if (method === 'training.start') return { runId: 'run-new' }
      throw new Error(`unexpected ${method}`)
    }) as WorkbenchApi['call'],
    on: () => () => undefined,
  }
  const app = createApp({})
  app.provide(workbenchApiKey, api)
  const pinia = createPinia()
  app.use(pinia)
  setActivePinia(pinia)
  return useRunsStore()
}

beforeEach(() => {
  details = {}
})

describe('appendNewPoints', () => {
  it('appends only points beyond the last one', () => {
    const target = [point(100), point(200)]
    expect(appendNewPoints(target, [point(150), point(200), point(300), point(250), point(400)])).toBe(2)
    expect(target.map((p) => p.samples)).toEqual([100, 200, 300, 400])
  })
})

describe('runs store', () => {
  it('appends the new points of each progress event', () => {
    const store = setup()
    store.applyProgress(progress('run-a', [point(100), point(200)]))
    store.applyProgress(progress('run-a', [point(300)]))
    expect(store.seriesOf('run-a').points.map((p) => p.samples)).toEqual([100, 200, 300])
    expect(store.progress['run-a']?.samplesSeen).toBe(300)
  })

  it('ignores a replayed event', () => {
    const store = setup()
    const event = progress('run-a', [point(100), point(200)])
    store.applyProgress(event)
    store.applyProgress(event)
    expect(store.seriesOf('run-a').points).toHaveLength(2)
  })

  it('merges loaded history with points that arrived live', async () => {
    const store = setup()
    store.applyProgress(progress('run-a', [point(300), point(400)]))
    details['run-a'] = { ...summary('run-a'), points: [point(100), point(200), point(300)], epochs: [] }
    await store.selectRun('run-a')
    expect(store.currentRunId).toBe('run-a')
    expect(store.currentSeries.points.map((p) => p.samples)).toEqual([100, 200, 300, 400])
    expect(store.currentRun?.status).toBe('running')
  })

  it('tracks status and epoch events', () => {
    const store = setup()
    store.applyStatus({ runId: 'run-a', status: 'running', run: summary('run-a') })
    const epoch = { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.4, testAccuracy: 0.85, seconds: 3 }
    store.applyEpoch({ runId: 'run-a', ...epoch })
    store.applyEpoch({ runId: 'run-a', ...epoch, testAccuracy: 0.86 })
    store.applyStatus({ runId: 'run-a', status: 'completed', run: summary('run-a', { status: 'completed' }) })
    expect(store.runs['run-a']?.status).toBe('completed')
    expect(store.seriesOf('run-a').epochs).toEqual([{ ...epoch, testAccuracy: 0.86 }])
  })

  it('does not step a finished run back to running from a stale list', async () => {
    const store = setup()
    store.applyStatus({ runId: 'run-a', status: 'completed', run: summary('run-a', { status: 'completed' }) })
    details['run-a'] = { ...summary('run-a', { status: 'running' }), points: [], epochs: [] }
    await store.refreshRuns()
    expect(store.runs['run-a']?.status).toBe('completed')
  })

  it('keeps a run that failed at once failed when the start reply (still queued) comes after the event', async () => {
    const store = setup()
    store.applyStatus({ runId: 'run-new', status: 'failed', run: summary('run-new', { status: 'failed', error: 'the training loss became NaN' }) })
    details['run-new'] = { ...summary('run-new', { status: 'queued' }), points: [], epochs: [] }
    await store.startTraining({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 10, learningRate: 0.1 })
    expect(store.currentRun).toMatchObject({ status: 'failed', error: 'the training loss became NaN' })
  })

  it('lists runs newest first and completed runs apart', () => {
    const store = setup()
    store.applyStatus({ runId: 'old', status: 'completed', run: summary('old', { status: 'completed', createdAt: '2024-01-01T00:00:00Z' }) })
    store.applyStatus({ runId: 'new', status: 'completed', run: summary('new', { status: 'completed', createdAt: '2024-02-01T00:00:00Z' }) })
    store.applyStatus({ runId: 'live', status: 'running', run: summary('live', { createdAt: '2024-03-01T00:00:00Z' }) })
    expect(store.runList.map((r) => r.runId)).toEqual(['live', 'new', 'old'])
    expect(store.completedRuns.map((r) => r.runId)).toEqual(['new', 'old'])
  })

  it('makes a started run current', async () => {
    const store = setup()
    details['run-new'] = { ...summary('run-new', { status: 'queued' }), points: [], epochs: [] }
    await store.startTraining({ arch: 'lenet5', dataset: 'mnist', epochs: 1, batchSize: 10, learningRate: 0.1 })
    expect(store.currentRunId).toBe('run-new')
    expect(store.currentRun?.status).toBe('queued')
  })
})

describe('progress helpers', () => {
  it('computes an integer percent', () => {
    expect(progressPercent({ epoch: 1, epochs: 2, samplesSeen: 333, totalSamples: 1000, samplesPerSecond: 1, etaSeconds: 1 }, 'running')).toBe(33)
    expect(progressPercent(undefined, 'completed')).toBe(100)
    expect(progressPercent(undefined, 'queued')).toBe(0)
  })
  it('places epoch markers at the end of each epoch', () => {
    const epochs = [1, 2].map((epoch) => ({ epoch, trainLoss: 0, trainAccuracy: 0, testLoss: 0, testAccuracy: 0.9, seconds: 1 }))
    expect(epochMarkers(epochs, 500).map((m) => m.samples)).toEqual([500, 1000])
  })
  it('carries test and, where the run held some out, validation loss and accuracy', () => {
    const withValidation = { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, validationLoss: 0.45, validationAccuracy: 0.82, testLoss: 0.4, testAccuracy: 0.85, seconds: 1 }
    expect(epochMarkers([withValidation], 100)[0]).toEqual({ epoch: 1, samples: 100, testAccuracy: 0.85, testLoss: 0.4, validationAccuracy: 0.82, validationLoss: 0.45 })
    const { validationLoss: _l, validationAccuracy: _a, ...withoutValidation } = withValidation
    expect(epochMarkers([withoutValidation], 100)[0]?.validationLoss).toBeUndefined()
  })
  it('infers images per epoch from progress, then from fractional point epochs, then from the limit', () => {
    const live = { epoch: 1, epochs: 4, samplesSeen: 10, totalSamples: 8000, samplesPerSecond: 1, etaSeconds: 1 }
    expect(samplesPerEpoch({ progress: live, epochs: 4, points: [] })).toBe(2000)
    expect(samplesPerEpoch({ epochs: 4, points: [{ samples: 3000, epoch: 1.5, loss: 1, accuracy: 0.5 }] })).toBe(2000)
    expect(samplesPerEpoch({ epochs: 4, limit: 500, points: [] })).toBe(500)
    expect(samplesPerEpoch({ epochs: 4, points: [] })).toBeUndefined()
  })
})
