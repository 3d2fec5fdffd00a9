import { ref, watch, type Ref } from 'vue'

const PREFIX = 'cnn-workbench:'

/**
 * A ref kept in localStorage under `cnn-workbench:<key>`, so choices survive a reload or restart.
 * A stored value that no longer parses, or has another type than the default, is ignored.
 */
export function usePersisted<T>(key: string, initial: T): Ref<T> {
  const value = ref(read(key, initial)) as Ref<T>
  watch(value, (next) => write(key, next), { deep: true })
  return value
}

export function read<T>(key: string, initial: T): T {
  try {
    const stored = window.localStorage.getItem(PREFIX + key)
    if (stored === null) return initial
    const parsed: unknown = JSON.parse(stored)
    if (Array.isArray(initial) ? Array.isArray(parsed) : typeof parsed === typeof initial && parsed !== null) return parsed as T
  } catch {
    // Private mode or a corrupt entry: start from the default.
  }
  return initial
}

export function write(key: string, value: unknown): void {
  try {
    window.localStorage.setItem(PREFIX + key, JSON.stringify(value))
  } catch {
    // Storage full or unavailable: the choice just is not remembered.
  }
}
