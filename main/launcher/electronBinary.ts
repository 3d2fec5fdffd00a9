import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'

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
    return { ok: false, reason: `Electron's binary is not installed (${message})` }
  }
  if (typeof exported !== 'string' || !existsSync(exported)) {
    return { ok: false, reason: "Electron's binary is not installed (it is downloaded at install time, which needs internet)" }
  }
  return { ok: true, path: exported }
}
