import { describe, expect, it } from 'vitest'
import type { EventName } from '../../../shared/api/contract'
import { apiEvents } from '../../../shared/api/contract'
import { createTrainingHandlers } from '../../../main/services/trainingHandlers'
import { ProcessQueue } from '../../../main/services/processQueue'
import type { ServiceSet } from '../../../main/services/apiHandlerTypes'
import type { WorkerHandle } from '../../../main/processes/workerLauncher'

/** A worker that answers an lr-find job with a few points, one blown-up loss among them, then its result. */
function fakeFinderWorker(sent: unknown[]): WorkerHandle {
  let listener: (message: unknown) => void = () => undefined
  return {
    pid: 1,
    send(message) {
      sent.push(message)
      const points = [
        { learningRate: 1e-5, loss: 2.3 },
        { learningRate: 1e-3, loss: 1.1 },
        { learningRate: 10, loss: Number.POSITIVE_INFINITY },
      ]
      queueMicrotask(() => {
        points.forEach((point, i) => listener({ type: 'lr-find-point', step: i + 1, steps: 3, ...point }))
        listener({ type: 'lr-find', result: { points: points.slice(0, 2), suggestedLearningRate: 1e-3 } })
      })
    },
    onMessage(next) {
      listener = next
    },
    onExit() {},
    kill() {},
  }
}

describe('training.findLearningRate', () => {
  it('pushes each finite point as lrFinder.progress with the caller\u2019s findId, for the settings as resolved', async () => {
    const emitted: { event: EventName; payload: unknown }[] = []
    const sent: unknown[] = []
    const services = {
      store: { root: '/tmp/none' },
      events: { emit: (event: EventName, payload: unknown) => void emitted.push({ event, payload }) },
      launchWorker: () => fakeFinderWorker(sent),
    } as unknown as ServiceSet
    const handlers = createTrainingHandlers(services, new ProcessQueue(2, 8))
    const result = await handlers['training.findLearningRate']({
      config: { arch: 'lenet-relu', dataset: 'mnist', batchSize: 32 },
      minLearningRate: 1e-5,
      maxLearningRate: 10,
      steps: 3,
      findId: 'lr-1',
    } as never)
    expect(result.suggestedLearningRate).toBe(1e-3)
    expect(emitted.map((e) => e.event)).toEqual(['lrFinder.progress', 'lrFinder.progress'])
    expect(emitted.map((e) => e.payload)).toEqual([
      { findId: 'lr-1', step: 1, steps: 3, learningRate: 1e-5, loss: 2.3 },
      { findId: 'lr-1', step: 2, steps: 3, learningRate: 1e-3, loss: 1.1 },
    ])
    for (const { payload } of emitted) expect(apiEvents['lrFinder.progress'].safeParse(payload).success).toBe(true)
    // The worker gets the run's full settings: the preset's optimizer filled in.
    expect(sent[0]).toMatchObject({ type: 'lr-find', config: { arch: 'lenet-relu', optimizer: 'adam', batchSize: 32 } })
  })
})
