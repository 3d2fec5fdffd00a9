import { app, BrowserWindow, ipcMain, session } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { IPC_CALL_CHANNEL, IPC_DROP_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/ipcChannels'
import { UserPathGrants } from '../services/userPathGrants'
import { createWorkbench, type Workbench } from '../services/workbench'
import { installAppMenu } from './appMenu'
import { electronContentSecurityPolicy } from './contentSecurityPolicy'
import { createDesktopActions } from './desktopActions'
import { createDropHandler, createIpcCallHandler, type SenderPolicy } from './ipcGuard'
import { createUtilityWorkerLauncher } from './utilityWorkerLauncher'
import { hardenSession, hardenWebContents, ownUrlChecker } from './windowSecurity'
import { queueUrlFromEnvironment } from '../pool/redisConnection'
import { environment } from '../config/environment'

const here = dirname(fileURLToPath(import.meta.url))
const devServerUrl = app.isPackaged ? undefined : environment('ELECTRON_RENDERER_URL')
const rendererDir = join(here, '../renderer')
const { isOwnPage, isOwnRequest } = ownUrlChecker({ rendererDir, devServerUrl })

let mainWindow: BrowserWindow | undefined
const senderPolicy: SenderPolicy = { window: () => mainWindow, isOwnUrl: isOwnPage }

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
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  })
  window.once('ready-to-show', () => window.show())
  if (devServerUrl) void window.loadURL(devServerUrl)
  else void window.loadFile(join(rendererDir, 'index.html'))
  return window
}

function wireIpc(workbench: Workbench): void {
  ipcMain.handle(IPC_CALL_CHANNEL, createIpcCallHandler(senderPolicy, workbench.handlers))
  const onDrop = createDropHandler(senderPolicy, workbench.grants)
  ipcMain.on(IPC_DROP_CHANNEL, (event, paths: unknown) => void onDrop(event, paths))
  workbench.events.subscribe((event, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT_CHANNEL, event, payload)
  })
}

export interface DesktopApp {
  workbench: Workbench
  grants: UserPathGrants
}

/** Starts the desktop app; resolves once the window exists (or, in a second instance, which quits, at once). */
export async function startDesktopApp(): Promise<DesktopApp | undefined> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return undefined
  }
  // Every renderer sandboxed, whatever its webPreferences say.
  app.enableSandbox()
  // Hardening applies to every web contents, not only ours: devtools, anything a bug might open.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, isOwnPage))
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore()
    mainWindow?.focus()
  })
  await app.whenReady()
  hardenSession(session.defaultSession, isOwnRequest, electronContentSecurityPolicy(devServerUrl))
  const dataDir = app.getPath('userData')
  const grants = new UserPathGrants()
  const actions = createDesktopActions({ dataDir, grants, window: () => mainWindow })
  const workbench = await createWorkbench({
    dataDir,
    launchWorker: createUtilityWorkerLauncher(join(here, 'trainingWorker.js')),
    // Predictions and inspections run in their own process too: a large model never stalls the window.
    launchInference: createUtilityWorkerLauncher(join(here, 'inferenceWorker.js'), 'CNN Workbench inference'),
    mode: 'electron',
    // The desktop app joins a pool given in the environment (WORKBENCH_QUEUE=redis://host:port, or WORKBENCH_QUEUE_FILE).
    queue: queueUrlFromEnvironment(),
    grants,
    chooseFolder: actions.chooseFolder,
  })
  wireIpc(workbench)
  installAppMenu(actions, { appName: app.getName(), isMac: process.platform === 'darwin', isDev: !app.isPackaged })
  mainWindow = createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Quitting waits for the workbench to close: a lesson attempt written as the app quits is not cut off.
  let closing: Promise<void> | undefined
  let closed = false
  app.on('before-quit', (event) => {
    if (closed) return
    event.preventDefault()
    closing ??= workbench.close().finally(() => {
      closed = true
      app.quit()
    })
  })
  return { workbench, grants }
}

export const started = startDesktopApp().catch((error: unknown) => {
  console.error(`CNN Workbench could not start: ${(error as Error).message}`)
  app.quit()
  return undefined
})
