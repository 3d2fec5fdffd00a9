import { app, dialog, shell, type BrowserWindow } from 'electron'
import { mkdir } from 'node:fs/promises'
import type { UserPathGrants } from '../services/userPathGrants'

/** What the menu and the API can ask of the desktop shell. */
export interface DesktopActions {
  openDataFolder(): Promise<void>
  showAbout(): Promise<void>
  /** Opens a folder dialog; the chosen folder becomes a grant. Null when the user cancels. */
  chooseFolder(): Promise<string | null>
}

export function createDesktopActions(options: { dataDir: string; grants: UserPathGrants; window: () => BrowserWindow | undefined }): DesktopActions {
  const parent = () => {
    const window = options.window()
    return window && !window.isDestroyed() ? window : undefined
  }
  return {
    async openDataFolder() {
      await mkdir(options.dataDir, { recursive: true })
      const error = await shell.openPath(options.dataDir)
      if (error) dialog.showErrorBox('Could not open the data folder', `${options.dataDir}: ${error}`)
    },
    async showAbout() {
      const details = [
        'Learn and experiment with convolutional networks: train the classic architectures and watch them learn.',
        '',
        `Electron ${process.versions.electron ?? '?'} · Chromium ${process.versions.chrome ?? '?'} · Node ${process.versions.node}`,
        `Data folder: ${options.dataDir}`,
      ].join('\n')
      const box = { type: 'info' as const, title: 'About CNN Workbench', message: `CNN Workbench ${app.getVersion()}`, detail: details, buttons: ['OK'] }
      const window = parent()
      await (window ? dialog.showMessageBox(window, box) : dialog.showMessageBox(box))
    },
    async chooseFolder() {
      const request = { title: 'Choose a folder', properties: ['openDirectory' as const, 'dontAddToRecent' as const] }
      const window = parent()
      const result = await (window ? dialog.showOpenDialog(window, request) : dialog.showOpenDialog(request))
      const chosen = result.filePaths[0]
      if (result.canceled || !chosen) return null
      return options.grants.grant(chosen, 'dialog')
    },
  }
}
