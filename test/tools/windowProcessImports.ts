/**
 * What the window's process loads: from each entry point of the app's own process (Electron main, the
 * web server, the CLI front, the launcher), every static and dynamic import it reaches, and each path to
 * a package that belongs in a worker (TensorFlow.js, sharp, Dawn). main/layers.json says services never
 * load them: loading them there cost 1.1 s and 60 MiB at start, and a crash in them took the window down.
 *   npx tsx test/tools/windowProcessImports.ts
 * prints each path and exits 1 when there is one; test/unit/tools/windowProcess.test.ts runs it,
 * and `npm test` runs it on the built bundle too (out/main/index.js and the chunks it imports).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const WINDOW_PROCESS_ENTRIES = ['main/electron/electronMain.ts', 'main/web/webMain.ts', 'main/cli/cli.ts', 'main/launcher/startApp.ts'] as const
/** Packages only worker processes may load. */
export const WORKER_ONLY = /^(@tensorflow\/|sharp$|webgpu$|onnxruntime-node$)/

export interface ForbiddenImport {
  pkg: string
  kind: string
  /** Entry point first, the importing file last. */
  path: string[]
}

/** Walks the sources from the entries with esbuild (the same resolution as the bundles), without writing anything. */
export async function forbiddenImportsFromSources(root: string, entries: readonly string[] = WINDOW_PROCESS_ENTRIES): Promise<ForbiddenImport[]> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [...entries],
    bundle: true,
    platform: 'node',
    format: 'esm',
    splitting: true,
    write: false,
    metafile: true,
    packages: 'external',
    outdir: join(root, 'out', '.window-process-check'),
    logLevel: 'silent',
    loader: { '.node': 'empty' },
  })
  const inputs = result.metafile.inputs
  const parent = new Map<string, string | null>(entries.map((entry) => [entry, null]))
  const queue = [...entries] as string[]
  const found: ForbiddenImport[] = []
  const pathTo = (file: string) => {
    const path: string[] = []
    for (let at: string | null | undefined = file; at; at = parent.get(at)) path.unshift(at)
    return path
  }
  while (queue.length > 0) {
    const file = queue.shift()!
    for (const edge of inputs[file]?.imports ?? []) {
      if (WORKER_ONLY.test(edge.path)) found.push({ pkg: edge.path, kind: edge.kind, path: pathTo(file) })
      else if (inputs[edge.path] && !parent.has(edge.path)) {
        parent.set(edge.path, file)
        queue.push(edge.path)
      }
    }
  }
  return found
}

/** The same check on a built bundle: the entry file and every chunk it imports, statically or dynamically. */
export function forbiddenImportsInBundle(entryFile: string): ForbiddenImport[] {
  const seen = new Set<string>()
  const found: ForbiddenImport[] = []
  const visit = (file: string, trail: string[]) => {
    if (seen.has(file) || !existsSync(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    // Statements at a line's start (Rollup writes them so), and dynamic imports: not the text of generated code.
    const statements = /^(?:import|export)\b[^;'"()]*?\bfrom\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gm
    const dynamic = /\bimport\(\s*["']([^"']+)["']\s*\)/g
    const specifiers = [...text.matchAll(statements), ...text.matchAll(dynamic)].map((m) => (m[1] ?? m[2])!)
    for (const specifier of specifiers) {
      if (WORKER_ONLY.test(specifier)) found.push({ pkg: specifier, kind: 'bundle', path: [...trail, relative(process.cwd(), file)] })
      else if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier), [...trail, relative(process.cwd(), file)])
    }
  }
  visit(entryFile, [])
  return found
}

function report(found: ForbiddenImport[]): string {
  return found.map((entry) => `${entry.pkg} (${entry.kind}) via ${entry.path.join(' -> ')}`).join('\n')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const fromSources = await forbiddenImportsFromSources(root)
  const bundle = join(root, 'out', 'main', 'index.js')
  const fromBundle = existsSync(bundle) ? forbiddenImportsInBundle(bundle) : []
  const all = [...fromSources, ...fromBundle]
  if (all.length > 0) {
    console.error(`the window's process reaches packages that belong in workers:\n${report(all)}`)
    process.exit(1)
  }
  console.log(`window process: no TensorFlow.js, sharp or Dawn from ${WINDOW_PROCESS_ENTRIES.length} entry points${existsSync(bundle) ? ' or out/main/index.js' : ''}`)
}
