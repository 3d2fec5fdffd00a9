import { describe, expect, it, vi } from 'vitest'
import { electronFake as fake } from './electronFakes'

vi.mock('electron', async () => (await import('./electronFakes')).electronFake.module)

describe('desktop shell, second instance', () => {
  it('quits at once without opening a window or starting services', async () => {
    fake.state.lock = false
    const { started } = await import('../../../main/electron/electronMain')
    expect(await started).toBeUndefined()
    expect(fake.app.quit).toHaveBeenCalled()
    expect(fake.BrowserWindow.instances).toHaveLength(0)
    expect(fake.ipcMain.handlers.size).toBe(0)
  })
})
