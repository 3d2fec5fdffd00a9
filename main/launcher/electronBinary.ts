import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'

const NOT_DOWNLOADED = "Electron's binary is not installed (it is downloaded at install time, which needs internet)"

export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string }

/**
 * The `electron` npm package exports the path of its binary, which its install script downloads.
 * Where that download could not happen (no internet, blocked install scripts) we say so instead of crashing.
 */
export function findElectronBinary(resolveElectron: () => unknown = () => createRequire(import.meta.url)('electron')): ElectronBinary {
  let exported: unknown
  try {
    exported = resolveElectron()
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]
    if (/Cannot find (module|package)/.test(message)) return { ok: false, reason: 'the electron package is not installed' }
    // The package's own wording ("failed to install correctly, please delete node_modules/electron")
    // sends users down the wrong path when the real cause is a download that could not happen.
    if (/failed to install correctly/.test(message)) return { ok: false, reason: NOT_DOWNLOADED }
    return { ok: false, reason: `Electron could not be loaded (${message})` }
  }
  if (typeof exported !== 'string' || !existsSync(exported)) {
    return { ok: false, reason: NOT_DOWNLOADED }
  }
  return { ok: true, path: exported }
}
