import { effectScope, ref, watch, type Ref } from 'vue'

const PREFIX = 'cnn-workbench:'

/** One ref per key, so a view that hands a choice to another (Lessons → Predict) changes what that view shows. */
const refs = new Map<string, Ref<unknown>>()

/**
 * A ref kept in localStorage under `cnn-workbench:<key>`, so choices survive a reload or restart.
 * A stored value that no longer parses, or has another type than the default, is ignored.
 */
export function usePersisted<T>(key: string, initial: T): Ref<T> {
  const known = refs.get(key)
  if (known) return known as Ref<T>
  const value = ref(read(key, initial)) as Ref<T>
  // Detached from the calling component: the ref outlives it, so must its saving.
  effectScope(true).run(() => watch(value, (next) => write(key, next), { deep: true }))
  refs.set(key, value as Ref<unknown>)
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
