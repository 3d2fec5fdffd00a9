import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { IPC_CALL_CHANNEL, IPC_DROP_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/ipcChannels'

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

/** The bits of a DOM drop event used here (this file is type-checked without the DOM library). */
interface DropEventLike {
  isTrusted: boolean
  dataTransfer: { files: ArrayLike<File> } | null
}
interface EventTargetLike {
  addEventListener(type: 'drop', listener: (event: DropEventLike) => void, capture: boolean): void
}

// A drop is the user choosing files or folders: their paths become grants in main. Only a real drop
// (isTrusted) counts, and the paths are read here, in the isolated world: the page itself never sees them.
;(globalThis as unknown as EventTargetLike).addEventListener(
  'drop',
  (event) => {
    if (!event.isTrusted || !event.dataTransfer) return
    const paths = Array.from(event.dataTransfer.files, (file) => webUtils.getPathForFile(file)).filter((path) => path !== '')
    if (paths.length) ipcRenderer.send(IPC_DROP_CHANNEL, paths)
  },
  true,
)
