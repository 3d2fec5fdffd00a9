import { computed, onMounted, ref } from 'vue'
import { describeError } from '../logic/errors'
import { useRunsStore } from '../stores/runs'

/**
 * The trained runs a model picker offers (Predict, Inspect), loaded when the view mounts; a failure to
 * load goes to `onError` as a notice.
 */
export function useCompletedRuns(onError: (notice: { title: string; message: string }) => void) {
  const store = useRunsStore()
  const loadingRuns = ref(true)
  const runs = computed(() => store.completedRuns)
  onMounted(async () => {
    try {
      await store.refreshRuns()
    } catch (cause) {
      onError({ title: 'Could not load the run list', message: describeError(cause) })
    } finally {
      loadingRuns.value = false
    }
  })
  return { runs, loadingRuns }
}
