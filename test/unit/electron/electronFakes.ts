import { vi } from 'vitest'

/**
 * Small stand-ins for the parts of Electron's API that main/electron uses: enough to drive the real
 * main-process modules where Electron's binary is missing. Only the boundary is faked.
 */
type Listener = (...args: never[]) => unknown

export class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>()
  on(name: string, listener: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
    return this
  }
  once(name: string, listener: Listener): this {
    return this.on(name, listener)
  }
  emit(name: string, ...args: unknown[]): unknown[] {
    return (this.listeners.get(name) ?? []).map((listener) => (listener as (...a: unknown[]) => unknown)(...args))
  }
  listenerCount(name: string): number {
    return this.listeners.get(name)?.length ?? 0
  }
}

export class FakeWebContents extends FakeEmitter {
  windowOpenHandler?: (details: { url: string }) => { action: string }
  readonly send = vi.fn()
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
}

export function createElectronFake() {
  const state = { userData: '', lock: true, packaged: false }
  const app = Object.assign(new FakeEmitter(), {
    requestSingleInstanceLock: vi.fn(() => state.lock),
    quit: vi.fn(),
    enableSandbox: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    getPath: vi.fn(() => state.userData),
    getName: () => 'CNN Workbench',
    getVersion: () => '0.1.0',
    isPackaged: false,
  })
  // A getter (Object.assign would copy the value once): tests flip it before importing the shell.
  Object.defineProperty(app, 'isPackaged', { get: () => state.packaged })

  class BrowserWindow extends FakeEmitter {
    static instances: BrowserWindow[] = []
    static getAllWindows = () => BrowserWindow.instances
    readonly webContents = new FakeWebContents()
    readonly loadFile = vi.fn(async () => undefined)
    readonly loadURL = vi.fn(async () => undefined)
    readonly focus = vi.fn()
    readonly restore = vi.fn()
    readonly show = vi.fn()
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super()
      BrowserWindow.instances.push(this)
      // As in Electron: every new web contents is announced on the app.
      app.emit('web-contents-created', {}, this.webContents)
    }
    isDestroyed = () => false
    isMinimized = () => false
  }

  const ipcMain = {
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    listeners: new Map<string, (...args: unknown[]) => unknown>(),
    handle(channel: string, handler: (...args: unknown[]) => unknown) {
      ipcMain.handlers.set(channel, handler)
    },
    on(channel: string, listener: (...args: unknown[]) => unknown) {
      ipcMain.listeners.set(channel, listener)
    },
  }

  type BeforeRequest = (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void
  type HeadersReceived = (
    details: { url: string; responseHeaders?: Record<string, string[]> },
    callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
  ) => void
  const defaultSession = Object.assign(new FakeEmitter(), {
    permissionRequestHandler: undefined as undefined | ((...args: unknown[]) => void),
    permissionCheckHandler: undefined as undefined | ((...args: unknown[]) => boolean),
    devicePermissionHandler: undefined as undefined | ((...args: unknown[]) => boolean),
    beforeRequest: undefined as undefined | BeforeRequest,
    headersReceived: undefined as undefined | HeadersReceived,
    setPermissionRequestHandler(handler: (...args: unknown[]) => void) {
      defaultSession.permissionRequestHandler = handler
    },
    setPermissionCheckHandler(handler: (...args: unknown[]) => boolean) {
      defaultSession.permissionCheckHandler = handler
    },
    setDevicePermissionHandler(handler: (...args: unknown[]) => boolean) {
      defaultSession.devicePermissionHandler = handler
    },
    webRequest: {
      onBeforeRequest(handler: BeforeRequest) {
        defaultSession.beforeRequest = handler
      },
      onHeadersReceived(handler: HeadersReceived) {
        defaultSession.headersReceived = handler
      },
    },
  })

  const Menu = {
    applied: undefined as undefined | { template: MenuItem[] },
    buildFromTemplate: (template: MenuItem[]) => ({ template }),
    setApplicationMenu: vi.fn((menu: { template: MenuItem[] }) => {
      Menu.applied = menu
    }),
  }
  const dialog = {
    showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
    showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0 })),
    showErrorBox: vi.fn(),
  }
  const shell = { openPath: vi.fn(async (_path: string) => '') }
  const utilityProcess = { fork: vi.fn() }

  const module = { app, BrowserWindow, ipcMain, session: { defaultSession }, Menu, dialog, shell, utilityProcess }
  return { state, module, app, BrowserWindow, ipcMain, defaultSession, Menu, dialog, shell }
}

export interface MenuItem {
  label?: string
  role?: string
  type?: string
  accelerator?: string
  click?: () => void
  submenu?: MenuItem[]
}

/** Every item of a menu template, submenus flattened. */
export function flattenMenu(items: MenuItem[]): MenuItem[] {
  return items.flatMap((item) => [item, ...flattenMenu(item.submenu ?? [])])
}

/** One fake per test file: `vi.mock('electron', async () => (await import('./electronFakes')).electronFake.module)`. */
export const electronFake = createElectronFake()
