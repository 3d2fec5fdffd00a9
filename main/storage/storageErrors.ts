/**
 * File-system failures that are the user's disk, not our bug: recognised by their errno code (or, when a
 * library wrapped the error and kept only its text, by that text) and turned into one readable line.
 */
const DISK_CODES: Record<string, string> = {
  ENOSPC: 'the disk is full (no space left on device)',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the data folder is on a read-only file system',
  EACCES: 'permission to write in the data folder was denied',
  EPERM: 'permission to write in the data folder was denied',
  EIO: 'the disk reported an input/output error',
}

export function storageErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code in DISK_CODES) return code
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : ''
  return Object.keys(DISK_CODES).find((known) => message.includes(known)) ?? (/no space left on device/i.test(message) ? 'ENOSPC' : undefined)
}

export function isDiskFull(error: unknown): boolean {
  const code = storageErrorCode(error)
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** `the disk is full (no space left on device) while saving run data: free some space, then start or resume the run` */
export function describeStorageError(error: unknown, doing: string): string {
  const code = storageErrorCode(error)
  const detail = error instanceof Error ? error.message : String(error)
  if (!code) return `${doing} failed: ${detail}`
  const advice = isDiskFull(error) ? ': free some space, then start the run again' : ''
  return `${DISK_CODES[code]} while ${doing}${advice} (${detail})`
}
