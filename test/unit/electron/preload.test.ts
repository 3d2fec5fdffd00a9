import { beforeAll, describe, expect, it, vi } from 'vitest'

const bridge = vi.hoisted(() => ({
  exposed: new Map<string, Record<string, (...args: unknown[]) => unknown>>(),
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 1 })),
  send: vi.fn(),
  on: vi.fn(),
  removeListener: vi.fn(),
  dropListeners: [] as ((event: unknown) => void)[],
}))

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: Record<string, (...args: unknown[]) => unknown>) => bridge.exposed.set(name, api) },
  ipcRenderer: { invoke: bridge.invoke, send: bridge.send, on: bridge.on, removeListener: bridge.removeListener },
  webUtils: { getPathForFile: (file: { path?: string }) => file.path ?? '' },
}))

describe('preload bridge', () => {
  beforeAll(async () => {
    ;(globalThis as unknown as { addEventListener: unknown }).addEventListener = (type: string, listener: (event: unknown) => void) => {
      if (type === 'drop') bridge.dropListeners.push(listener)
    }
    await import('../../../main/electron/preload')
  })

  it('exposes one narrow object: a call and an event subscription, never ipcRenderer', async () => {
    expect([...bridge.exposed.keys()]).toEqual(['workbenchBridge'])
    const api = bridge.exposed.get('workbenchBridge')!
    expect(Object.keys(api).sort()).toEqual(['call', 'onEvent'])
    expect(await api.call(42, {})).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(bridge.invoke).not.toHaveBeenCalled()
    await api.call('runs.list', {})
    expect(bridge.invoke).toHaveBeenCalledWith('workbench:call', 'runs.list', {})
    const unsubscribe = api.onEvent(() => undefined) as () => void
    unsubscribe()
    expect(bridge.removeListener).toHaveBeenCalledWith('workbench:event', bridge.on.mock.calls[0][1])
  })

  it('sends the paths of really dropped files to main, and ignores synthetic drops', () => {
    expect(bridge.dropListeners).toHaveLength(1)
    const drop = bridge.dropListeners[0]
    drop({ isTrusted: false, dataTransfer: { files: [{ path: '/etc' }] } })
    drop({ isTrusted: true, dataTransfer: null })
    drop({ isTrusted: true, dataTransfer: { files: [{}] } }) // a File built by the page has no path
    expect(bridge.send).not.toHaveBeenCalled()
    drop({ isTrusted: true, dataTransfer: { files: [{ path: '/home/me/cats' }, {}, { path: '/home/me/dogs' }] } })
    expect(bridge.send).toHaveBeenCalledWith('workbench:dropped-paths', ['/home/me/cats', '/home/me/dogs'])
  })
})
