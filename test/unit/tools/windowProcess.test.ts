import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { forbiddenImportsFromSources, forbiddenImportsInBundle } from '../../tools/windowProcessImports'
import { REPO_ROOT } from '../../helpers/repoRoot'

/**
 * The window's process (Electron main, web server, CLI front) never loads TensorFlow.js, sharp or Dawn,
 * directly, transitively or dynamically: test/tools/windowProcessImports.ts, which `npm test` also runs on
 * the built bundle.
 */
const root = REPO_ROOT

function treeOf(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'window-process-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

describe('the window process', () => {
  it('reaches no package that belongs in a worker, from any entry point', async () => {
    expect(await forbiddenImportsFromSources(root)).toEqual([])
  }, 60_000)

  it('nor does the built bundle, when there is one', () => {
    const bundle = join(root, 'out', 'main', 'index.js')
    if (!existsSync(bundle)) return console.log('skipping the bundle check: out/main/index.js is not built (npm run build)')
    expect(forbiddenImportsInBundle(bundle)).toEqual([])
  })

  it('the check finds a static, a dynamic and a transitive import, and names the path to each', async () => {
    const dir = treeOf({
      'entry.ts': "import { a } from './a'\nexport const run = () => import('./later')\nconsole.log(a)",
      'a.ts': "import { b } from './deep/b'\nexport const a = b",
      'deep/b.ts': "import sharp from 'sharp'\nexport const b = sharp",
      'later.ts': "export const tf = await import('@tensorflow/tfjs-core')",
    })
    const found = await forbiddenImportsFromSources(dir, ['entry.ts'])
    expect(found.map((f) => [f.pkg, f.kind, f.path.join(' -> ')])).toEqual(
      expect.arrayContaining([
        ['sharp', 'import-statement', 'entry.ts -> a.ts -> deep/b.ts'],
        ['@tensorflow/tfjs-core', 'dynamic-import', 'entry.ts -> later.ts'],
      ]),
    )
    const bundle = treeOf({
      'index.js': "import { x } from './chunks/x.js'\n// import from 'sharp' in a comment is no import\nconst text = `import * as tf from '@tensorflow/tfjs'`\nconsole.log(x, text)",
      'chunks/x.js': "import 'node:fs'\nexport const x = () => import('webgpu')",
    })
    expect(forbiddenImportsInBundle(join(bundle, 'index.js')).map((f) => f.pkg)).toEqual(['webgpu'])
  })
})
