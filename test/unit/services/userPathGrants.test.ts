import { describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, realpath, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UserPathGrants } from '../../../main/services/userPathGrants'
import { dispatchApiCall } from '../../../main/services/apiDispatcher'
import { PathNotGrantedError } from '../../../main/services/serviceErrors'
import { createApiHandlers } from '../../../main/services/apiHandlers'

async function layout() {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'grants-')))
  const chosen = join(root, 'chosen')
  const secret = join(root, 'secret')
  await mkdir(join(chosen, 'cats'), { recursive: true })
  await mkdir(secret)
  await symlink(secret, join(chosen, 'escape'))
  return { root, chosen, secret }
}

describe('user path grants', () => {
  it('allows a chosen folder and what lies inside it, nothing else', async () => {
    const { root, chosen, secret } = await layout()
    const grants = new UserPathGrants()
    expect(await grants.grant(chosen, 'dialog')).toBe(chosen)
    expect(await grants.resolve(chosen)).toBe(chosen)
    expect(await grants.resolve(join(chosen, 'cats'))).toBe(join(chosen, 'cats'))
    expect(await grants.resolve(join(chosen, 'cats', 'new.png'))).toBe(join(chosen, 'cats', 'new.png'))
    for (const path of [root, secret, join(chosen, '..', 'secret'), join(chosen, 'escape'), join(chosen, 'escape', 'x'), `${chosen}-sibling`, 'chosen', '']) {
      await expect(grants.resolve(path)).rejects.toBeInstanceOf(PathNotGrantedError)
    }
  })

  it('records how each path was chosen and refuses relative paths', async () => {
    const { chosen } = await layout()
    const grants = new UserPathGrants()
    await grants.grant(join(chosen, 'cats'), 'drop')
    expect(grants.list()).toEqual([{ path: join(chosen, 'cats'), source: 'drop' }])
    await expect(grants.grant('relative/path', 'drop')).rejects.toThrow(/absolute/)
    await expect(grants.resolve(chosen)).rejects.toBeInstanceOf(PathNotGrantedError)
  })

  it('a refused path reaches the caller as an `unauthorized` API error', async () => {
    const handlers = { 'runs.list': () => Promise.reject(new PathNotGrantedError('/etc')) } as never
    expect(await dispatchApiCall(handlers, 'runs.list', {})).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('/etc') } })
  })

  it('files.chooseFolder answers `unavailable`, with a reason, where no dialog can be opened (web mode)', async () => {
    const handlers = createApiHandlers({ mode: 'web', version: 'x' } as never)
    const result = await dispatchApiCall(handlers, 'files.chooseFolder', {})
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/needs the desktop app/) } })
  })
})
