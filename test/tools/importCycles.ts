/**
 * The import graph of main/, shared/ and renderer/src, and what would break its layering:
 *   npx tsx test/tools/importCycles.ts
 * prints every import cycle between files and every loop between folders, and exits 1 if there is one.
 * Every static, type-only, re-export and dynamic import of a relative path counts (a type-only cycle
 * still means two files that cannot be understood apart). Folders are a layer's own folders:
 * main/<folder>, shared/<folder>, renderer/src/<folder> (files at a layer's top are their own folder).
 * test/unit/tools/importCycles.test.ts runs the same check.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const ROOTS = ['main', 'shared', 'renderer/src'] as const
const EXTENSIONS = ['.ts', '.vue', '.tsx', '.js', '.mjs']

export type ImportGraph = Map<string, Set<string>>

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'build' || name.startsWith('.')) return []
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** The scripts of a .vue file; the whole text of anything else. */
function scriptOf(path: string): string {
  const text = readFileSync(path, 'utf8')
  if (!path.endsWith('.vue')) return text
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier)
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => join(base, `index${ext}`))]
  // ESM sources name their .ts siblings as .js
  if (base.endsWith('.js')) candidates.push(base.slice(0, -3) + '.ts')
  return candidates.find((path) => existsSync(path) && statSync(path).isFile())
}

/** Files (relative to root, with '/') and the files each imports, within the scanned roots. */
export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map()
  const files = ROOTS.flatMap((dir) => sourceFiles(join(root, dir)))
  const key = (path: string) => relative(root, path).split(sep).join('/')
  for (const file of files) {
    const edges = new Set<string>()
    for (const { fileName } of ts.preProcessFile(scriptOf(file), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue
      const target = resolveRelative(file, fileName)
      if (target && files.includes(target)) edges.add(key(target))
    }
    graph.set(key(file), edges)
  }
  return graph
}

/** Strongly connected components with more than one member (or a member importing itself), each sorted. */
export function cycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative so that deep graphs do not overflow the stack.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const found: string[][] = []
  let next = 0
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work: { node: string; edges: string[]; i: number }[] = []
    const visit = (node: string) => {
      index.set(node, next)
      low.set(node, next++)
      stack.push(node)
      onStack.add(node)
      work.push({ node, edges: [...(graph.get(node) ?? [])], i: 0 })
    }
    visit(start)
    while (work.length) {
      const frame = work[work.length - 1]
      if (frame.i < frame.edges.length) {
        const target = frame.edges[frame.i++]
        if (!index.has(target)) visit(target)
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!))
        continue
      }
      work.pop()
      if (work.length) {
        const parent = work[work.length - 1].node
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!))
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) found.push(component.sort())
      }
    }
  }
  return found
}

/**
 * The folder a file belongs to, `depth` folders below its layer: at depth 1 main/engine, shared/arch,
 * renderer/src/views (a layer's top files are their own); at depth 2 main/data/download, and a file at the
 * top of main/data is in main/data. A loop at depth 2 is one between a folder's own files and a subfolder.
 */
export function folderOf(file: string, depth = 1): string {
  const root = ROOTS.find((r) => file.startsWith(`${r}/`))
  if (!root) return dirname(file)
  const folders = file.slice(root.length + 1).split('/').slice(0, -1)
  if (folders.length === 0) return file
  return [root, ...folders.slice(0, depth)].join('/')
}

/** The deepest folder nesting below a layer. */
export function maxDepth(graph: ImportGraph): number {
  return Math.max(1, ...[...graph.keys()].map((file) => file.split('/').length - 2))
}

/** The graph between folders at a depth (edges inside one folder left out). */
export function folderGraph(graph: ImportGraph, depth = 1): ImportGraph {
  const group = (file: string) => folderOf(file, depth)
  const folders: ImportGraph = new Map()
  for (const [file, targets] of graph) {
    const from = group(file)
    const edges = folders.get(from) ?? new Set<string>()
    folders.set(from, edges)
    for (const target of targets) if (group(target) !== from) edges.add(group(target))
  }
  return folders
}

/** For a reported loop, one import behind each edge, so that it can be found. */
export function edgesWithin(graph: ImportGraph, members: string[], group: (file: string) => string = (f) => f): string[] {
  const inside = new Set(members)
  const lines: string[] = []
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const [a, b] = [group(file), group(target)]
      if (a !== b && inside.has(a) && inside.has(b)) lines.push(`${file} -> ${target}`)
    }
  }
  return lines
}

export interface FolderLoop {
  depth: number
  members: string[]
}

export function checkImports(root: string): { fileCycles: string[][]; folderLoops: FolderLoop[]; graph: ImportGraph } {
  const graph = importGraph(root)
  const folderLoops: FolderLoop[] = []
  const seen = new Set<string>()
  for (let depth = 1; depth <= maxDepth(graph); depth++) {
    for (const members of cycles(folderGraph(graph, depth))) {
      // A loop between deep folders shows again at every deeper depth: reported once, where it first shows.
      const key = members.join('|')
      if (!seen.has(key)) folderLoops.push({ depth, members })
      seen.add(key)
    }
  }
  return { graph, fileCycles: cycles(graph), folderLoops }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const { graph, fileCycles, folderLoops } = checkImports(root)
  console.log(`${graph.size} files, ${[...graph.values()].reduce((n, e) => n + e.size, 0)} imports in ${ROOTS.join(', ')}`)
  for (const cycle of fileCycles) console.log(`import cycle: ${cycle.join(' <-> ')}\n  ${edgesWithin(graph, cycle).join('\n  ')}`)
  for (const loop of folderLoops) console.log(`folder loop (depth ${loop.depth}): ${loop.members.join(' <-> ')}\n  ${edgesWithin(graph, loop.members, (f) => folderOf(f, loop.depth)).join('\n  ')}`)
  if (fileCycles.length + folderLoops.length === 0) console.log('no import cycles, no folder loops')
  process.exitCode = fileCycles.length + folderLoops.length > 0 ? 1 : 0
}
