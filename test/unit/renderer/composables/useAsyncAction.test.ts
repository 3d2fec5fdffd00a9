import { describe, expect, it } from 'vitest'
import { useAsyncAction, useShownError } from '../../../../renderer/src/composables/useAsyncAction'

describe('useAsyncAction', () => {
  it('is busy while the action runs and reports success', async () => {
    const error = useShownError()
    const action = useAsyncAction(error)
    let release!: () => void
    const pending = action.run('Could not save', () => new Promise<void>((resolve) => (release = resolve)))
    expect(action.busy.value).toBe(true)
    release()
    expect(await pending).toBe(true)
    expect(action.busy.value).toBe(false)
    expect(error.value).toBeNull()
  })
  it('puts a failure in the shared error slot as readable text and is no longer busy', async () => {
    const error = useShownError()
    const action = useAsyncAction(error)
    const ok = await action.run(() => 'Could not delete run 7', async () => {
      throw new Error('  disk is read-only ')
    })
    expect(ok).toBe(false)
    expect(action.busy.value).toBe(false)
    expect(error.value).toEqual({ title: 'Could not delete run 7', message: 'disk is read-only' })
  })
})
