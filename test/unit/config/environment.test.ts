import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENVIRONMENT_VARIABLES, preferPassiveLibraryWaiting } from '../../../main/config/environment'
import { REPO_ROOT } from '../../helpers/repoRoot'

/** Environment variables are read in one module (main/config/environment.ts), each documented there and in the README. */
const root = REPO_ROOT

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'build') return []
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|vue)$/.test(name) ? [path] : []
  })
}

/** `process.env.X`, `process.env[x]`, `env.WORKBENCH_X`: a read that does not go through environment(). */
const DIRECT_READ = /process\.env\s*(\.|\[)|\benv\.[A-Za-z_]+\b/

describe('environment variables', () => {
  const files = ['main', 'shared', 'renderer/src'].flatMap((dir) => sources(join(root, dir))).filter((path) => !path.includes(join('main', 'config')))

  it('are read only through main/config/environment.ts', () => {
    const offenders = files.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => DIRECT_READ.test(line) && !/^\s*(\*|\/\/)/.test(line))
        .map(({ index }) => `${relative(root, path)}:${index + 1}`),
    )
    expect(offenders).toEqual([])
  })

  it('every WORKBENCH_ name the app mentions is one of them, and the README documents each', () => {
    const mentioned = new Set(files.flatMap((path) => readFileSync(path, 'utf8').match(/\bWORKBENCH_[A-Z_]+\b/g) ?? []))
    expect([...mentioned].filter((name) => !(name in ENVIRONMENT_VARIABLES))).toEqual([])
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(Object.keys(ENVIRONMENT_VARIABLES).filter((name) => !readme.includes(`\`${name}\``))).toEqual([])
  })

  it('the check finds a direct read', () => {
    expect(DIRECT_READ.test("const flags = process.env.WORKBENCH_DAWN_FLAGS ?? ''")).toBe(true)
    expect(DIRECT_READ.test('const on = process.env[NAME] === "1"')).toBe(true)
    expect(DIRECT_READ.test("const dir = env.WORKBENCH_DATA_DIR")).toBe(true)
    expect(DIRECT_READ.test("function f(env = process.env) {")).toBe(false)
  })

  it("the inference worker's OpenMP threads sleep between requests unless the user chose otherwise", () => {
    const before = process.env.OMP_WAIT_POLICY
    try {
      delete process.env.OMP_WAIT_POLICY
      preferPassiveLibraryWaiting()
      expect(process.env.OMP_WAIT_POLICY).toBe('passive')
      process.env.OMP_WAIT_POLICY = 'active'
      preferPassiveLibraryWaiting()
      expect(process.env.OMP_WAIT_POLICY).toBe('active')
    } finally {
      if (before === undefined) delete process.env.OMP_WAIT_POLICY
      else process.env.OMP_WAIT_POLICY = before
    }
  })
})
