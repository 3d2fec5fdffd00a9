import { realpath } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { PathNotGrantedError } from './serviceErrors'

/** How the user chose a path: an open dialog, a drop on the window, or typed on the command line. */
export type GrantSource = 'dialog' | 'drop' | 'command-line'

export interface PathGrant {
  path: string
  source: GrantSource
}

const MAX_GRANTS = 256

/**
 * The only files and folders outside the data folder that the app may read: those the user chose.
 * Every service that takes a path from the renderer (folder datasets, ...) must pass it through
 * `resolve()`, which follows symbolic links first, so neither `..` nor a link can lead outside a grant.
 */
export class UserPathGrants {
  private readonly grants = new Map<string, GrantSource>()

  /** Records a chosen path (its real path, links followed) and returns that real path. */
  async grant(path: string, source: GrantSource): Promise<string> {
    if (!isAbsolute(path)) throw new Error(`only absolute paths can be granted, not ${JSON.stringify(path)}`)
    const real = await realpath(path)
    this.grants.delete(real)
    this.grants.set(real, source)
    // The oldest grants go first: a long session of drops cannot grow this without bound.
    while (this.grants.size > MAX_GRANTS) this.grants.delete(this.grants.keys().next().value as string)
    return real
  }

  list(): PathGrant[] {
    return [...this.grants].map(([path, source]) => ({ path, source }))
  }

  revokeAll(): void {
    this.grants.clear()
  }

  /** Whether an already-resolved real path is a granted path or lies inside one. */
  covers(realPath: string): boolean {
    for (const granted of this.grants.keys()) {
      const rel = relative(granted, realPath)
      if (rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))) return true
    }
    return false
  }

  /**
   * The real path behind `path` when the user granted it (or a folder above it); throws
   * PathNotGrantedError otherwise. A path that does not exist yet is judged by its parent's real path.
   */
  async resolve(path: string): Promise<string> {
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) throw new PathNotGrantedError(String(path))
    const real = await realpathOrParent(resolve(path))
    if (!this.covers(real)) throw new PathNotGrantedError(path)
    return real
  }
}

async function realpathOrParent(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error
    return join(await realpathOrParent(dirname(path)), basename(path))
  }
}
