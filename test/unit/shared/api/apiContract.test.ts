import { describe, expect, it } from 'vitest'
import { apiEvents, apiMethods, METHOD_NAMES } from '../../../../shared/api/contract'
import { createApiClient, type Transport } from '../../../../shared/api/client'
import { TrainConfig } from '../../../../shared/api/schemas'
import { dispatchApiCall } from '../../../../main/services/apiDispatcher'
import type { ApiHandlers } from '../../../../main/services/apiHandlers'

const validConfig = { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.1 }

describe('TrainConfig schema', () => {
  it('accepts a valid config and fills defaults', () => {
    const parsed = TrainConfig.parse(validConfig)
    expect(parsed.backend).toBe('auto')
    expect(parsed.seed).toBe(1)
  })

  it.each([
    [{ epochs: 0 }, 'epochs'],
    [{ epochs: 1.5 }, 'epochs'],
    [{ batchSize: 100000 }, 'batchSize'],
    [{ learningRate: -1 }, 'learningRate'],
    [{ learningRate: Number.NaN }, 'learningRate'],
    [{ arch: 'resnet-9000' }, 'arch'],
    [{ backend: 'quantum' }, 'backend'],
    [{ extra: true }, ''],
  ])('rejects %j', (override, field) => {
    const result = TrainConfig.safeParse({ ...validConfig, ...override })
    expect(result.success).toBe(false)
    if (!result.success && field) expect(result.error.issues[0].path).toContain(field)
  })
})

describe('contract tables', () => {
  it('every method has a request and a response schema, every event a schema', () => {
    for (const name of METHOD_NAMES) {
      expect(apiMethods[name].request.safeParse).toBeTypeOf('function')
      expect(apiMethods[name].response.safeParse).toBeTypeOf('function')
    }
    expect(Object.keys(apiEvents)).toEqual(['run.status', 'run.progress', 'run.epoch', 'lrFinder.progress', 'download.progress', 'lesson.attempt', 'data.scan'])
  })

  it('accepts the built-in data sets and folder:<path>, nothing else', () => {
    for (const id of ['mnist', 'fashion-mnist', 'cifar10', 'folder:/home/me/pets']) expect(apiMethods['data.describe'].request.safeParse({ dataset: id }).success).toBe(true)
    for (const id of ['imagenet', 'folder:', '/home/me/pets', 'folder:/a\0b']) expect(apiMethods['data.describe'].request.safeParse({ dataset: id }).success).toBe(false)
  })
})

describe('dispatchApiCall', () => {
  const handlers = {
    'runs.get': async ({ runId }: { runId: string }) => {
      throw new Error(`boom ${runId}`)
    },
    'training.start': async () => ({ runId: 'abc' }),
  } as unknown as ApiHandlers

  it('answers an unknown method with a validation error', async () => {
    expect(await dispatchApiCall(handlers, 'fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
  })

  it('answers a malformed request with the field that is wrong', async () => {
    const result = await dispatchApiCall(handlers, 'training.start', { ...validConfig, epochs: 'ten' })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(!result.ok && result.error.message).toMatch(/epochs/)
  })

  it('refuses a path-traversal run id before any handler runs', async () => {
    const result = await dispatchApiCall(handlers, 'runs.get', { runId: '../../etc' })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
  })

  it('turns a thrown error into data', async () => {
    expect(await dispatchApiCall(handlers, 'runs.get', { runId: 'r1' })).toEqual({ ok: false, error: { code: 'internal', message: 'boom r1' } })
  })

  it('passes valid calls through', async () => {
    expect(await dispatchApiCall(handlers, 'training.start', validConfig)).toEqual({ ok: true, value: { runId: 'abc' } })
  })
})

describe('createApiClient', () => {
  function fakeTransport(reply: unknown): Transport & { emit(event: string, payload: unknown): void } {
    let listener: ((event: string, payload: unknown) => void) | undefined
    return {
      send: async () => reply as never,
      subscribe: (l) => {
        listener = l
        return () => undefined
      },
      emit: (event, payload) => listener?.(event, payload),
    }
  }

  it('throws a WorkbenchError with the server message', async () => {
    const client = createApiClient(fakeTransport({ ok: false, error: { code: 'bad-input', message: 'x.txt is not an image' } }))
    await expect(client.call('runs.list', {})).rejects.toMatchObject({ code: 'bad-input', message: 'x.txt is not an image' })
  })

  it('rejects a response that does not match the contract', async () => {
    const client = createApiClient(fakeTransport({ ok: true, value: { runId: 42 } }))
    await expect(client.call('training.start', validConfig as never)).rejects.toThrow(/unexpected reply/)
  })

  it('delivers only well-formed events', () => {
    const transport = fakeTransport(undefined)
    const client = createApiClient(transport)
    const seen: unknown[] = []
    const off = client.on('run.epoch', (payload) => seen.push(payload))
    const epoch = { runId: 'r1', epoch: 1, trainLoss: 0.5, trainAccuracy: 0.9, testLoss: 0.4, testAccuracy: 0.91, seconds: 3 }
    transport.emit('run.epoch', epoch)
    transport.emit('run.epoch', { ...epoch, trainAccuracy: 7 })
    off()
    transport.emit('run.epoch', epoch)
    expect(seen).toEqual([epoch])
  })
})
