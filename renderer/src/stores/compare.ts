import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { MAX_COMPARED, type CompareAxis } from '../logic/compare'
import { assignRunColors } from '../logic/palette'

const STORAGE_KEY = 'workbench.compare'

function restore(): { runIds: string[]; axis: CompareAxis } {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as { runIds?: unknown; axis?: unknown } | null
    const runIds = Array.isArray(saved?.runIds) ? saved.runIds.filter((id): id is string => typeof id === 'string').slice(0, MAX_COMPARED) : []
    const axis = saved?.axis === 'epoch' || saved?.axis === 'time' ? saved.axis : 'samples'
    return { runIds, axis }
  } catch {
    return { runIds: [], axis: 'samples' }
  }
}

/**
 * Which runs the Compare view shows and against which axis; kept in localStorage so a reload comes
 * back to the same comparison. `open` is how other views (Runs, sweeps, experiments) hand runs over.
 */
export const useCompareStore = defineStore('compare', () => {
  const saved = restore()
  const runIds = ref<string[]>(saved.runIds)
  const axis = ref<CompareAxis>(saved.axis)

  watch([runIds, axis], () => localStorage.setItem(STORAGE_KEY, JSON.stringify({ runIds: runIds.value, axis: axis.value })), { deep: true })

  function toggle(runId: string): void {
    const at = runIds.value.indexOf(runId)
    if (at >= 0) runIds.value.splice(at, 1)
    else if (runIds.value.length < MAX_COMPARED) runIds.value.push(runId)
  }

  function forget(runId: string): void {
    runIds.value = runIds.value.filter((id) => id !== runId)
  }

  /** Compares these runs (the first six) and switches to the Compare view. */
  function open(ids: readonly string[]): void {
    runIds.value = [...new Set(ids)].slice(0, MAX_COMPARED)
    assignRunColors(runIds.value)
    if (window.location.hash !== '#/compare') window.location.hash = '#/compare'
  }

  return { runIds, axis, toggle, forget, open }
})
