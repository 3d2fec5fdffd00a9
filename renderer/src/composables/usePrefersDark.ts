import { onUnmounted, ref, type Ref } from 'vue'

/** Whether the OS asks for a dark theme, kept up to date while the component lives. */
export function usePrefersDark(): Ref<boolean> {
  const query = window.matchMedia('(prefers-color-scheme: dark)')
  const dark = ref(query.matches)
  const onChange = (event: MediaQueryListEvent): void => {
    dark.value = event.matches
  }
  query.addEventListener('change', onChange)
  onUnmounted(() => query.removeEventListener('change', onChange))
  return dark
}
