import { ref } from 'vue'
import type { WorkbenchApi } from '../../../shared/api/contract'
import type { ExportFormat } from '../../../shared/api/schemas'
import { describeError } from '../logic/errors'

/** What an export wrote: the files, the notes a user of them must read, and the folder. */
export interface ExportOutcome {
  folder: string
  files: string[]
  notes: string[]
}

/**
 * The export dialog's one action: pick a folder through `files.chooseFolder` (which records the grant that
 * `runs.export` then checks), then export there. A cancelled picker is no error: nothing happens.
 */
export function useRunExport(api: WorkbenchApi) {
  const busy = ref(false)
  const outcome = ref<ExportOutcome | null>(null)
  const error = ref<string | null>(null)
  // Desktop until system.info says otherwise: the web host refuses files.chooseFolder with a one-line error anyway.
  const webMode = ref(false)

  async function loadMode(): Promise<void> {
    try {
      webMode.value = (await api.call('system.info', {})).mode === 'web'
    } catch {
      webMode.value = false // the view reports its own load errors
    }
  }

  function reset(): void {
    outcome.value = null
    error.value = null
  }

  async function chooseFolderAndExport(runId: string, format: ExportFormat): Promise<void> {
    busy.value = true
    error.value = null
    try {
      const { path } = await api.call('files.chooseFolder', {})
      if (path === null) return
      const written = await api.call('runs.export', { runId, folder: path, format })
      outcome.value = { folder: path, files: written.files, notes: written.notes }
    } catch (cause) {
      error.value = describeError(cause)
    } finally {
      busy.value = false
    }
  }

  return { busy, outcome, error, webMode, loadMode, reset, chooseFolderAndExport }
}
