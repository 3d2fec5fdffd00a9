import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/ipcChannels'
import { dispatchApiCall } from '../services/apiDispatcher'
import { createWorkbench, type Workbench } from '../services/workbench'
import { createUtilityWorkerLauncher } from './utilityWorkerLauncher'
import { denyAllPermissions, hardenWindow } from './windowSecurity'

const here = dirname(fileURLToPath(import.meta.url))
const rendererUrl = process.env.ELECTRON_RENDERER_URL
const rendererFile = join(here, '../renderer/index.html')
const isOwnUrl = (url: string) => (rendererUrl ? url.startsWith(rendererUrl) : url === pathToFileURL(rendererFile).href)

let mainWindow: BrowserWindow | undefined

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'CNN Workbench',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  hardenWindow(window, isOwnUrl)
  window.once('ready-to-show', () => window.show())
  if (rendererUrl) void window.loadURL(rendererUrl)
  else void window.loadFile(rendererFile)
  return window
}

function wireIpc(workbench: Workbench): void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, request: unknown) => {
    // Only our own page in our own window may call in.
    if (!mainWindow || event.sender !== mainWindow.webContents || !event.senderFrame || !isOwnUrl(event.senderFrame.url)) {
      return { ok: false, error: { code: 'unauthorized', message: 'request from an unknown frame' } }
    }
    return dispatchApiCall(workbench.handlers, method, request)
  })
  workbench.events.subscribe((event, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT_CHANNEL, event, payload)
  })
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore()
    mainWindow?.focus()
  })
  await app.whenReady()
  denyAllPermissions(session.defaultSession)
  const workbench = await createWorkbench({
    dataDir: app.getPath('userData'),
    launchWorker: createUtilityWorkerLauncher(join(here, 'trainingWorker.js')),
    mode: 'electron',
  })
  wireIpc(workbench)
  mainWindow = createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('before-quit', () => workbench.close())
}

void main()
