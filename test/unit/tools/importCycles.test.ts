import { describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import layers from '../../../main/layers.json'
import { checkImports, edgesWithin, folderGraph, folderOf, type ImportGraph } from '../../tools/importCycles'
import { REPO_ROOT } from '../../helpers/repoRoot'

/**
 * The stack holds: no import cycle between files and no loop between folders in main/, shared/ and
 * renderer/src (test/tools/importCycles.ts, which `npx tsx test/tools/importCycles.ts` also prints), and
 * main/'s folders import only downwards in main/layers.json's order, which eslint.config.js enforces
 * import by import.
 */
const root = REPO_ROOT

function treeOf(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-cycles-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

const rankOf = (folder: string) => layers.rows.findIndex((row) => row.includes(folder.replace(/^main\//, '')))

/** Imports from a main/ folder to one on its own row or above. */
function upwardImports(graph: ImportGraph): string[] {
  const found: string[] = []
  for (const [from, targets] of folderGraph(graph)) {
    if (!from.startsWith('main/')) continue
    for (const to of targets) {
      if (to.startsWith('main/') && rankOf(to) >= rankOf(from)) found.push(...edgesWithin(graph, [from, to], folderOf).filter((e) => folderOf(e.split(' -> ')[0]) === from))
    }
  }
  return found
}

describe('the import graph', () => {
  const { graph, fileCycles, folderLoops } = checkImports(root)

  it('reads the sources of all three layers, .vue scripts included', () => {
    expect(graph.get('main/engine/trainingLoop/evaluation.ts')).toContain('main/engine/model/modelStep.ts')
    expect([...graph.keys()].some((file) => file.endsWith('.vue') && graph.get(file)!.size > 0)).toBe(true)
    expect([...graph.keys()].some((file) => file.startsWith('shared/'))).toBe(true)
  })

  it('has no cycle between files and no loop between folders', () => {
    expect(fileCycles.map((c) => edgesWithin(graph, c))).toEqual([])
    expect(folderLoops.map((l) => edgesWithin(graph, l.members, (f) => folderOf(f, l.depth)))).toEqual([])
  })

  it('no backend rung imports another: what they share is in main/backends/common', () => {
    const rung = (file: string) => /^main\/backends\/(native|wasm|webgpu|tensorflow|cpu)\//.exec(file)?.[1]
    const across = [...graph].flatMap(([file, targets]) => [...targets].filter((t) => rung(file) && rung(t) && rung(file) !== rung(t)).map((t) => `${file} -> ${t}`))
    expect(graph.has('main/backends/common/batchNormKernel.ts')).toBe(true)
    expect(across).toEqual([])
  })

  it('main/ imports only downwards in main/layers.json, and every folder of main/ has its row', () => {
    const folders = readdirSync(join(root, 'main'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
    expect(folders.filter((folder) => rankOf(folder) < 0)).toEqual([])
    expect(upwardImports(graph)).toEqual([])
  })
})

describe('the check itself', () => {
  it('finds a loop between a folder\u2019s own files and its subfolder, and between two subfolders, at any depth', () => {
    const dir = treeOf({
      'main/data/registry.ts': "import { scan } from './folder/scan'\nexport const registry = scan",
      'main/data/dataset.ts': 'export const dataset = 1',
      'main/data/folder/scan.ts': "import { dataset } from '../dataset'\nexport const scan = dataset",
      'shared/arch/deep/a/x.ts': "import { y } from '../b/y'\nexport const x = y",
      'shared/arch/deep/b/y.ts': "import type { Z } from '../a/z'\nexport const y = 1 as Z",
      'shared/arch/deep/a/z.ts': 'export type Z = number',
    })
    const { folderLoops } = checkImports(dir)
    expect(folderLoops).toEqual([
      { depth: 2, members: ['main/data', 'main/data/folder'] },
      { depth: 3, members: ['shared/arch/deep/a', 'shared/arch/deep/b'] },
    ])
  })

  it('finds a cycle through a type-only import, a folder loop, and an upward import', () => {
    const dir = treeOf({
      'shared/a.ts': "import type { B } from './b'\nexport type A = B",
      'shared/b.ts': "import { a } from './a.js'\nexport type B = number; export const b = a",
      'main/engine/trainer.ts': "export { shuffle } from '../data/shuffle'",
      'main/data/shuffle.ts': "import '../engine/trainer'\nexport const shuffle = 1",
      'main/storage/store.ts': "const later = () => import('../services/api')\nexport { later }",
      'main/services/api.ts': 'export const api = 1',
      'renderer/src/views/View.vue': "<template><p /></template>\n<script setup lang=\"ts\">\nimport { x } from '../logic/x'\n</script>",
      'renderer/src/logic/x.ts': 'export const x = 1',
    })
    const { graph, fileCycles, folderLoops } = checkImports(dir)
    expect(fileCycles).toEqual(expect.arrayContaining([['shared/a.ts', 'shared/b.ts'], ['main/data/shuffle.ts', 'main/engine/trainer.ts']]))
    // A layer's top-level files count as folders of their own.
    expect(folderLoops.map((l) => l.members)).toEqual(expect.arrayContaining([['main/data', 'main/engine'], ['shared/a.ts', 'shared/b.ts']]))
    expect(folderLoops).toHaveLength(2)
    expect(graph.get('renderer/src/views/View.vue')).toEqual(new Set(['renderer/src/logic/x.ts']))
    expect(upwardImports(graph)).toEqual(expect.arrayContaining(['main/storage/store.ts -> main/services/api.ts', 'main/data/shuffle.ts -> main/engine/trainer.ts']))
  })
})
