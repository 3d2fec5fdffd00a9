/**
 * The renderer's Content-Security-Policy under Electron: our own scripts only, no plugins, no frames, no
 * forms, no <base>; styles may be inline (Vue and Chart.js set style attributes), images may be data:
 * or blob: (previews of dropped images). The renderer needs no network at all: it talks over IPC.
 * In development the Vite server's hot-reload socket is allowed too.
 */
export function electronContentSecurityPolicy(devServerUrl?: string): string {
  const connect = devServerUrl ? `'self' ${new URL(devServerUrl).origin.replace(/^http/, 'ws')}` : "'self'"
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}
