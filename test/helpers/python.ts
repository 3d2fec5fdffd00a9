import { spawnSync } from 'node:child_process'

/**
 * A Python 3 that imports every one of `modules`: $WORKBENCH_PYTHON, Debian's /usr/bin/python3, or python3
 * on the PATH (a pyenv shim there may lack Debian's packages). Otherwise why not, in one line, for the
 * tests to skip with; where WORKBENCH_REQUIRE_EXPORT_CHECKS=1 (CI) that is an error instead.
 */
export function findPython(modules: readonly string[]): { python: string } | { missing: string } {
  for (const python of [process.env.WORKBENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', timeout: 60_000 })
    if (probe.status === 0) return { python }
  }
  const missing = `no python3 that imports ${modules.join(', ')}: apt-get install ${modules.map((m) => `python3-${m}`).join(' ')} (or set WORKBENCH_PYTHON)`
  if (process.env.WORKBENCH_REQUIRE_EXPORT_CHECKS === '1') throw new Error(`WORKBENCH_REQUIRE_EXPORT_CHECKS=1, but ${missing}`)
  return { missing }
}
