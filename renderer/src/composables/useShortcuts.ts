import { onMounted, onUnmounted, ref, type Ref } from 'vue'

export interface ShortcutActions {
  /** 1-9: the n-th view in nav order. */
  goToIndex: (index: number) => void
}

/** What the `?` overlay lists; kept next to the handler so the two cannot drift apart. */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: '1 – 9', what: 'Switch to the n-th view in the navigation' },
  { keys: 'Ctrl + Enter', what: 'Start training (Train view)' },
  { keys: 'Esc', what: 'Dismiss notices, close this help' },
  { keys: '?', what: 'Show or hide this help' },
]

function typingIn(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null
  if (!element || !element.tagName) return false
  return element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName)
}

/**
 * App-wide keys. Digits and `?` are ignored while typing in a field; Ctrl+Enter works anywhere (it is
 * how a form is submitted) and presses the visible Start button; Escape closes the help or dismisses
 * every visible notice.
 */
export function useShortcuts(actions: ShortcutActions): { helpOpen: Ref<boolean> } {
  const helpOpen = ref(false)
  const onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented) return
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      const start = document.querySelector<HTMLButtonElement>('[data-testid=start-button]')
      if (start && !start.disabled && start.offsetParent !== null) {
        event.preventDefault()
        start.click()
      }
      return
    }
    if (event.key === 'Escape') {
      if (helpOpen.value) helpOpen.value = false
      else document.querySelectorAll<HTMLButtonElement>('.notice__close').forEach((button) => button.click())
      return
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return
    if (event.key === '?') {
      helpOpen.value = !helpOpen.value
      event.preventDefault()
    } else if (/^[1-9]$/.test(event.key)) {
      actions.goToIndex(Number(event.key) - 1)
      event.preventDefault()
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onUnmounted(() => window.removeEventListener('keydown', onKey))
  return { helpOpen }
}
