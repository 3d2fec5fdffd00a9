import type { BrowserWindow, Session } from 'electron'

/** Electron's security checklist for our single window: no navigation away, no popups, no permissions. */
export function hardenWindow(window: BrowserWindow, isOwnUrl: (url: string) => boolean): void {
  window.webContents.on('will-navigate', (event, url) => {
    if (!isOwnUrl(url)) event.preventDefault()
  })
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-attach-webview', (event) => event.preventDefault())
}

export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}
