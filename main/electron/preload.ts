import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/ipcChannels'

/**
 * The renderer's only door to the main process: one call and one event subscription, never raw
 * ipcRenderer. Requests are validated again in main, which trusts nothing from here.
 */
contextBridge.exposeInMainWorld('workbenchBridge', {
  call: (method: unknown, request: unknown) => {
    if (typeof method !== 'string') return Promise.resolve({ ok: false, error: { code: 'invalid-request', message: 'method must be a string' } })
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, method, request)
  },
  onEvent: (listener: (event: string, payload: unknown) => void) => {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload)
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
    }
  },
})
