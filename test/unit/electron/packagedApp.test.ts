import { afterAll, describe, expect, it, vi } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { electronFake as fake, flattenMenu } from './electronFakes'

vi.mock('electron', async () => (await import('./electronFakes')).electronFake.module)

describe('desktop shell, packaged build', () => {
  const saved = process.env.ELECTRON_RENDERER_URL
  afterAll(() => {
    if (saved === undefined) delete process.env.ELECTRON_RENDERER_URL
    else process.env.ELECTRON_RENDERER_URL = saved
  })

  it('ignores ELECTRON_RENDERER_URL and offers no developer tools', async () => {
    process.env.ELECTRON_RENDERER_URL = 'http://evil.example:5173/'
    fake.state.packaged = true
    fake.state.userData = await mkdtemp(join(tmpdir(), 'electron-packaged-'))
    const { started } = await import('../../../main/electron/electronMain')
    const desktop = await started
    const window = fake.BrowserWindow.instances[0]
    expect(window.loadURL).not.toHaveBeenCalled()
    expect(window.loadFile).toHaveBeenCalled()
    expect(flattenMenu(fake.Menu.applied!.template).some((item) => item.role === 'toggleDevTools')).toBe(false)
    let answer: { cancel?: boolean } = {}
    fake.defaultSession.beforeRequest!({ url: 'http://evil.example:5173/' }, (response) => (answer = response))
    expect(answer.cancel).toBe(true)
    desktop?.workbench.close()
    await rm(fake.state.userData, { recursive: true, force: true })
  })
})
