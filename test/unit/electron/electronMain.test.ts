import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { IpcMainInvokeEvent } from 'electron'
import { IPC_CALL_CHANNEL, IPC_DROP_CHANNEL, IPC_EVENT_CHANNEL } from '../../../shared/api/ipcChannels'
import { MAX_MESSAGE_BYTES } from '../../../shared/api/wire'
import type { DesktopApp } from '../../../main/electron/electronMain'
import { electronFake as fake, flattenMenu, type FakeWebContents } from './electronFakes'
import { REPO_ROOT } from '../../helpers/repoRoot'

// Electron's binary is not needed: only its API is replaced, by small fakes (electronFakes.ts).
vi.mock('electron', async () => (await import('./electronFakes')).electronFake.module)

const ownPage = pathToFileURL(join(REPO_ROOT, 'main/renderer/index.html')).href

describe('desktop shell (Electron main process, Electron stubbed at the boundary)', () => {
  let dataDir: string
  let contents: FakeWebContents
  let desktop: DesktopApp
  const callApi = (method: unknown, request: unknown, event: Partial<IpcMainInvokeEvent> = trustedEvent()) =>
    fake.ipcMain.handlers.get(IPC_CALL_CHANNEL)!(event, method, request) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>
  const trustedEvent = (url = ownPage, parent: unknown = null) =>
    ({ sender: contents, senderFrame: { url, parent } }) as unknown as IpcMainInvokeEvent

  beforeAll(async () => {
    delete process.env.ELECTRON_RENDERER_URL
    dataDir = await mkdtemp(join(tmpdir(), 'electron-main-'))
    fake.state.userData = dataDir
    const { started } = await import('../../../main/electron/electronMain')
    desktop = (await started)!
    contents = fake.BrowserWindow.instances[0].webContents
  })
  afterAll(async () => {
    fake.app.emit('before-quit', { preventDefault: vi.fn() })
    await rm(dataDir, { recursive: true, force: true })
  })

  it('takes the single-instance lock, sandboxes every renderer and opens one hardened window', () => {
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled()
    expect(fake.app.enableSandbox).toHaveBeenCalled()
    expect(fake.BrowserWindow.instances).toHaveLength(1)
    const prefs = fake.BrowserWindow.instances[0].options.webPreferences
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false })
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(fake.BrowserWindow.instances[0].loadFile).toHaveBeenCalledWith(join(REPO_ROOT, 'main/renderer/index.html'))
  })

  it('focuses the existing window when a second instance starts', () => {
    fake.app.emit('second-instance')
    expect(fake.BrowserWindow.instances[0].focus).toHaveBeenCalled()
  })

  it('prevents navigation and redirects away from our page, and denies new windows and webviews', () => {
    const navigate = (name: string, url: string) => {
      const event = { preventDefault: vi.fn() }
      contents.emit(name, event, url)
      return event.preventDefault.mock.calls.length > 0
    }
    expect(navigate('will-navigate', 'https://evil.example/')).toBe(true)
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(navigate('will-redirect', 'http://127.0.0.1:1/')).toBe(true)
    expect(navigate('will-navigate', ownPage)).toBe(false)
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(contents.windowOpenHandler?.({ url: ownPage })).toEqual({ action: 'deny' })
    const webview = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', webview, {}, {})
    expect(webview.preventDefault).toHaveBeenCalled()
  })

  it('hardens any other web contents too', () => {
    const other = new (fake.module.BrowserWindow as unknown as new (o: unknown) => { webContents: FakeWebContents })({ webPreferences: {} })
    expect(other.webContents.windowOpenHandler?.({ url: 'https://x.example' })).toEqual({ action: 'deny' })
    expect(other.webContents.listenerCount('will-navigate')).toBe(1)
    fake.BrowserWindow.instances.pop()
  })

  it('denies every permission request and check, device access and downloads', () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn()
      fake.defaultSession.permissionRequestHandler!(contents, permission, callback, {})
      expect(callback).toHaveBeenCalledWith(false)
      expect(fake.defaultSession.permissionCheckHandler!(contents, permission, 'file://', {})).toBe(false)
    }
    expect(fake.defaultSession.devicePermissionHandler!({ deviceType: 'usb' })).toBe(false)
    const download = { preventDefault: vi.fn() }
    fake.defaultSession.emit('will-download', download, {}, contents)
    expect(download.preventDefault).toHaveBeenCalled()
  })

  it('cancels every request for remote content and lets our own files through', () => {
    const cancelled = (url: string) => {
      let answer: { cancel?: boolean } = {}
      fake.defaultSession.beforeRequest!({ url }, (response) => (answer = response))
      return answer.cancel
    }
    expect(cancelled('https://cdn.example.com/chart.js')).toBe(true)
    expect(cancelled('http://127.0.0.1:8080/')).toBe(true)
    expect(cancelled('ws://evil.example/')).toBe(true)
    expect(cancelled('file:///etc/passwd')).toBe(true)
    expect(cancelled(new URL('../preload/preload.cjs', ownPage).href)).toBe(true)
    expect(cancelled(ownPage)).toBe(false)
    expect(cancelled(new URL('assets/index.js', ownPage).href)).toBe(false)
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false)
  })

  it('sets a strict Content-Security-Policy header, replacing any other', () => {
    let headers: Record<string, string[]> | undefined
    fake.defaultSession.headersReceived!({ url: ownPage, responseHeaders: { 'content-security-policy': ["default-src *"], 'x-other': ['1'] } }, (r) => (headers = r.responseHeaders))
    expect(Object.keys(headers!).filter((name) => name.toLowerCase() === 'content-security-policy')).toEqual(['Content-Security-Policy'])
    const csp = headers!['Content-Security-Policy'][0]
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/)
    expect(headers!['x-other']).toEqual(['1'])
  })

  it('answers API calls only from our own page in the main frame of our window', async () => {
    expect(await callApi('system.info', {})).toMatchObject({ ok: true, value: { mode: 'electron' } })
    const refused = { ok: false, error: { code: 'unauthorized' } }
    expect(await callApi('system.info', {}, { sender: {} as never, senderFrame: { url: ownPage, parent: null } as never })).toMatchObject(refused)
    expect(await callApi('system.info', {}, trustedEvent('https://evil.example/'))).toMatchObject(refused)
    expect(await callApi('system.info', {}, trustedEvent(ownPage, { url: ownPage }))).toMatchObject(refused)
    expect(await callApi('system.info', {}, { sender: contents as never, senderFrame: null })).toMatchObject(refused)
  })

  it('validates every IPC request against the shared schemas', async () => {
    expect(await callApi('fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(await callApi('runs.get', { runId: '../../etc' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(await callApi('training.start', { arch: 'lenet5', epochs: 'ten' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
  })

  it('refuses oversized IPC requests with a clear error', async () => {
    const huge = { runId: 'abc', fileName: 'x.png', imageBase64: 'A'.repeat(MAX_MESSAGE_BYTES + 1) }
    const result = await callApi('predict.image', huge)
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    expect(result.error?.message).toMatch(/predict\.image: the request is 20 MiB, more than the 20 MiB/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect((await callApi('runs.list', cyclic)).error?.message).toMatch(/not plain JSON/)
  })

  it('files.chooseFolder opens a dialog and grants only the chosen folder', async () => {
    const chosen = await mkdtemp(join(tmpdir(), 'chosen-'))
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [chosen] })
    const result = await callApi('files.chooseFolder', {})
    expect(result).toMatchObject({ ok: true, value: { path: await realpath(chosen) } })
    expect(fake.dialog.showOpenDialog.mock.calls[0][1]).toMatchObject({ properties: expect.arrayContaining(['openDirectory']) })
    const { grants } = desktop
    await expect(grants.resolve(join(chosen, 'cats'))).resolves.toBe(join(await realpath(chosen), 'cats'))
    await expect(grants.resolve(join(chosen, '..'))).rejects.toThrow(/was not chosen by you/)
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] })
    expect(await callApi('files.chooseFolder', {})).toMatchObject({ ok: true, value: { path: null } })
  })

  it('grants dropped paths only when our own page sends them', async () => {
    const dropped = await mkdtemp(join(tmpdir(), 'dropped-'))
    const onDrop = fake.ipcMain.listeners.get(IPC_DROP_CHANNEL)!
    onDrop({ sender: {}, senderFrame: { url: ownPage, parent: null } }, [dropped])
    onDrop(trustedEvent(), 'not an array')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { grants } = desktop
    expect(grants.covers(await realpath(dropped))).toBe(false)
    onDrop(trustedEvent(), [dropped, 42, '', 'x'.repeat(5000)])
    await expect.poll(() => grants.covers(join(dropped, 'a.png'))).toBe(true)
    expect(grants.list().find((grant) => grant.path === dropped)?.source).toBe('drop')
  })

  it('pushes API events to the window', async () => {
    const { workbench } = desktop
    workbench.events.emit('run.epoch', { runId: 'r1', epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 1 })
    expect(contents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'run.epoch', expect.objectContaining({ runId: 'r1' }))
  })

  it('installs an application menu with "Open Data Folder" and an about box', async () => {
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalledTimes(1)
    const items = flattenMenu(fake.Menu.applied!.template)
    expect(items.some((item) => item.role === 'quit' || item.role === 'close')).toBe(true)
    expect(items.some((item) => item.role === 'toggleDevTools')).toBe(true) // not packaged: a development build

    const open = items.find((item) => item.label === 'Open Data Folder')!
    open.click!()
    await expect.poll(() => fake.shell.openPath.mock.calls.length).toBe(1)
    expect(fake.shell.openPath).toHaveBeenCalledWith(dataDir)
    fake.shell.openPath.mockResolvedValueOnce('no application knows how to open folders')
    open.click!()
    await expect.poll(() => fake.dialog.showErrorBox.mock.calls.length).toBe(1)
    expect(fake.dialog.showErrorBox.mock.calls[0][1]).toContain('no application knows how to open folders')

    items.find((item) => item.label === 'About CNN Workbench')!.click!()
    await expect.poll(() => fake.dialog.showMessageBox.mock.calls.length).toBe(1)
    const box = fake.dialog.showMessageBox.mock.calls[0].at(-1) as { message: string; detail: string }
    expect(box.message).toBe('CNN Workbench 0.1.0')
    expect(box.detail).toContain(dataDir)
  })

  it('ends training workers when the app quits, and quits once the workbench has closed', async () => {
    expect(fake.app.listenerCount('before-quit')).toBe(1)
    const close = vi.spyOn(desktop.workbench, 'close')
    const first = { preventDefault: vi.fn() }
    fake.app.emit('before-quit', first)
    fake.app.emit('before-quit', { preventDefault: vi.fn() })
    expect(first.preventDefault).toHaveBeenCalled()
    expect(close).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled())
    const last = { preventDefault: vi.fn() }
    fake.app.emit('before-quit', last)
    expect(last.preventDefault).not.toHaveBeenCalled()
  })
})
