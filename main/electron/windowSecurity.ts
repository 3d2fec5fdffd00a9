import type { Session, WebContents } from 'electron'
import { isAbsolute, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export type UrlCheck = (url: string) => boolean

/**
 * Electron's security checklist for every web contents we create: no navigation away from our own
 * page, no popups (window.open, target=_blank, middle click), no <webview>.
 */
export function hardenWebContents(contents: WebContents, isOwnUrl: UrlCheck): void {
  const refuseForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isOwnUrl(url)) event.preventDefault()
  }
  contents.on('will-navigate', refuseForeign)
  contents.on('will-redirect', refuseForeign)
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/**
 * The session our window lives in: every permission request (camera, notifications, USB, ...) denied,
 * downloads refused, requests to anything but our own files cancelled (no remote content), and the
 * Content-Security-Policy set as a response header on top of the page's own meta tag.
 */
export function hardenSession(session: Session, isOwnRequest: UrlCheck, contentSecurityPolicy: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
  session.on('will-download', (event) => event.preventDefault())
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isOwnRequest(details.url) }))
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders }
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-security-policy') delete headers[name]
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [contentSecurityPolicy] } })
  })
}

/**
 * Which URLs are ours: the built renderer's files (file: URLs inside its folder) or, in development,
 * the Vite dev server. With `forRequests`, also the schemes Chromium uses for our own page's data
 * (data:, blob:) and its developer tools.
 */
export function ownUrlChecker(options: { rendererDir: string; devServerUrl?: string; platform?: NodeJS.Platform }): {
  isOwnPage: UrlCheck
  isOwnRequest: UrlCheck
} {
  const devOrigin = options.devServerUrl ? new URL(options.devServerUrl).origin : undefined
  const caseInsensitive = (options.platform ?? process.platform) === 'win32'
  const isOwnPage = (url: string) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return false
    }
    if (devOrigin) return parsed.origin === devOrigin
    if (parsed.protocol !== 'file:' || parsed.host !== '') return false
    let path: string
    try {
      path = fileURLToPath(parsed)
    } catch {
      return false
    }
    const rel = caseInsensitive ? relative(options.rendererDir.toLowerCase(), path.toLowerCase()) : relative(options.rendererDir, path)
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  }
  const isOwnRequest = (url: string) => {
    if (/^(data|blob|devtools):/i.test(url)) return true
    if (devOrigin && /^wss?:/i.test(url)) return new URL(url).host === new URL(devOrigin).host
    return isOwnPage(url)
  }
  return { isOwnPage, isOwnRequest }
}
