import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root, wherever in test/ a test file sits (tests mirror the source tree, at any depth). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
