import { describe, expect, it } from 'vitest'
import { takeToken, TOKEN_STORAGE_KEY, webSocketUrlFromLocation } from '../../../../renderer/src/api/webTransport'

function fakeStorage() {
  const items = new Map<string, string>()
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items }
}

describe('the web token in the page', () => {
  it('is taken from the URL once, kept in sessionStorage, and dropped from the address bar', () => {
    const storage = fakeStorage()
    const replaced: string[] = []
    const history = { replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => void replaced.push(String(url)) }
    expect(takeToken({ search: '?token=abc123&x=1', pathname: '/', hash: '#/runs' }, storage, history)).toBe('abc123')
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe('abc123')
    expect(replaced).toEqual(['/?x=1#/runs'])
    // A reload without ?token= finds it again.
    expect(takeToken({ search: '', pathname: '/', hash: '#/runs' }, storage, history)).toBe('abc123')
    expect(replaced).toHaveLength(1)
    expect(webSocketUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:8080' }, 'abc123')).toBe('ws://127.0.0.1:8080/ws?token=abc123')
  })

  it('a tab that never had it has none', () => {
    expect(takeToken({ search: '', pathname: '/', hash: '' }, fakeStorage())).toBe('')
  })
})
