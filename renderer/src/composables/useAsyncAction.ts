import { ref, type Ref } from 'vue'
import { describeError } from '../logic/errors'

/** An error as a view shows it in its ErrorNotice: what failed, then why. */
export interface ShownError {
  title: string
  message: string
}

/** The view's one error slot, shared by its actions; `null` while nothing failed. */
export function useShownError(): Ref<ShownError | null> {
  return ref<ShownError | null>(null)
}

/**
 * The busy/error pattern of a view's buttons: `busy` is true while the action runs (so its button can
 * say "Saving…" and stay disabled), and a failure lands in the view's error slot as readable text,
 * never a stack. `run` resolves to whether the action succeeded, so the caller can close a form.
 */
export function useAsyncAction(error: Ref<ShownError | null>) {
  const busy = ref(false)
  async function run(title: string | (() => string), action: () => Promise<unknown>): Promise<boolean> {
    busy.value = true
    try {
      await action()
      return true
    } catch (cause) {
      error.value = { title: typeof title === 'function' ? title() : title, message: describeError(cause) }
      return false
    } finally {
      busy.value = false
    }
  }
  return { busy, run }
}
