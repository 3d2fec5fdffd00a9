import { onMounted, onUnmounted, ref, type Ref } from 'vue'

/**
 * The current view, kept in `location.hash` (`#/predict`) so a reload stays put. The query string
 * (the web mode's token) is left alone.
 */
export function useHashView<V extends string>(views: readonly V[], fallback: V): { view: Ref<V>; go: (next: V) => void } {
  const read = (): V => {
    const name = window.location.hash.replace(/^#\/?/, '')
    return (views as readonly string[]).includes(name) ? (name as V) : fallback
  }
  const view = ref(read()) as Ref<V>
  const onHashChange = (): void => {
    view.value = read()
  }
  function go(next: V): void {
    view.value = next
    if (read() !== next) window.history.replaceState(null, '', `#/${next}`)
  }
  onMounted(() => window.addEventListener('hashchange', onHashChange))
  onUnmounted(() => window.removeEventListener('hashchange', onHashChange))
  return { view, go }
}
