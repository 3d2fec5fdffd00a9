/**
 * `npm run scan:electron`: Doyensec's Electronegativity over the Electron shell (main/electron: main
 * process and preload) and the page it loads (renderer/index.html, for its Content-Security-Policy).
 * Fails on any finding of high severity or worse; prints the rest as a summary. Runs offline: the
 * checks that fetch Electron's release list are skipped (the version comes from node_modules).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface Finding {
  id: string
  file: string
  location: { line: number; column: number }
  severity: { name: string; value: number }
  confidence: { name: string }
  manualReview?: boolean
  description: string
}
type Runner = (options: Record<string, unknown>, forCli: boolean) => Promise<{ issues: Finding[]; errors: { file: string; message: string; tolerable: boolean }[] }>

const root = join(import.meta.dirname, '..', '..')
const require = createRequire(import.meta.url)

async function main(): Promise<void> {
  const electronVersion = (JSON.parse(await readFile(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version
  // Only what ships in the shell: the scanner would otherwise read every test and Vue file.
  const stage = await mkdtemp(join(tmpdir(), 'electronegativity-'))
  try {
    await cp(join(root, 'main/electron'), join(stage, 'main/electron'), { recursive: true })
    await cp(join(root, 'renderer/index.html'), join(stage, 'renderer/index.html'))
    await writeFile(join(stage, 'package.json'), JSON.stringify({ name: 'cnn-workbench', devDependencies: { electron: electronVersion } }))
    const run = require('@doyensec/electronegativity') as Runner
    const log = console.log
    console.log = () => undefined // its translations fetch says it is offline; that is expected here
    const result = await run(
      {
        input: stage,
        isRelative: true,
        isVerbose: false,
        customScan: [],
        excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
        electronVersionOverride: electronVersion,
        parserPlugins: [],
      },
      false,
    ).finally(() => (console.log = log))
    for (const error of result.errors.filter((e) => !e.tolerable)) console.error(`could not parse ${error.file}: ${error.message}`)
    const findings = result.issues.sort((a, b) => b.severity.value - a.severity.value)
    const bySeverity = new Map<string, number>()
    for (const finding of findings) bySeverity.set(finding.severity.name, (bySeverity.get(finding.severity.name) ?? 0) + 1)
    console.log(`Electronegativity (Electron ${electronVersion}): ${findings.length} finding(s)${findings.length ? ` — ${[...bySeverity].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}` : ''}`)
    for (const f of findings) {
      console.log(`  ${f.severity.name.padEnd(13)} ${f.confidence.name.padEnd(9)} ${f.id}${f.manualReview ? ' (review)' : ''}  ${f.file}:${f.location.line}  ${f.description}`)
    }
    const high = findings.filter((f) => ['HIGH', 'CRITICAL'].includes(f.severity.name.toUpperCase()))
    const broken = result.errors.filter((e) => !e.tolerable)
    if (high.length || broken.length) {
      console.error(`FAILED: ${high.length} high-severity finding(s), ${broken.length} file(s) not scanned`)
      process.exitCode = 1
    }
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(`scan:electron could not run: ${(error as Error).message}`)
  process.exitCode = 1
})
