import { Menu, type MenuItemConstructorOptions } from 'electron'
import type { DesktopActions } from './desktopActions'

export interface MenuOptions {
  appName: string
  isMac: boolean
  /** Developer tools only in development builds. */
  isDev: boolean
}

/** The application menu: roles for the standard items, our own actions for the rest. */
export function buildAppMenuTemplate(actions: DesktopActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const about: MenuItemConstructorOptions = { label: `About ${options.appName}`, click: () => void actions.showAbout() }
  const openDataFolder: MenuItemConstructorOptions = {
    label: 'Open Data Folder',
    accelerator: 'CmdOrCtrl+Shift+D',
    click: () => void actions.openDataFolder(),
  }
  const template: MenuItemConstructorOptions[] = []
  if (options.isMac) {
    template.push({
      label: options.appName,
      submenu: [about, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    })
  }
  template.push(
    { label: 'File', submenu: [openDataFolder, { type: 'separator' }, options.isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.isDev ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: options.isMac ? [openDataFolder] : [openDataFolder, { type: 'separator' }, about] },
  )
  return template
}

export function installAppMenu(actions: DesktopActions, options: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildAppMenuTemplate(actions, options)))
}
