import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { environment } from '../config/environment'

/**
 * Builds the native kernels (main/backends/native, a Node-API addon) with node-gyp: part of our postinstall
 * and `npm run build:native`. They are optional: without a C++ compiler the build fails in one line and
 * the backend ladder uses plain wasm, saying why. `--strict` makes a failure an error (CI).
 */
const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'backends', 'native')

function nodeGypScript(): string | undefined {
  // npm hands its bundled node-gyp to scripts; a node-gyp package of our own is the fallback.
  const fromNpm = environment('npm_config_node_gyp')
  if (fromNpm && existsSync(fromNpm)) return fromNpm
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')
  } catch {
    return undefined
  }
}

function buildNativeKernels(strict: boolean): boolean {
  const script = nodeGypScript()
  if (!script) {
    console.log('Native kernels not built: node-gyp was not found (run `npm run build:native` through npm). Training uses plain wasm.')
    return false
  }
  const result = spawnSync(process.execPath, [script, 'rebuild', '--silent', '-C', nativeDir], { encoding: 'utf8', timeout: 5 * 60_000 })
  if (result.status === 0) {
    console.log(`Native kernels built (${join(nativeDir, 'build', 'Release', 'workbench_kernels.node')}).`)
    return true
  }
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}\n${result.error?.message ?? ''}`
  const reason = output.split('\n').find((line) => /error/i.test(line))?.trim() ?? `node-gyp exited with ${result.status}`
  console.log(`Native kernels could not be built (${reason.slice(0, 200)}): training uses plain wasm. Needs a C++ compiler and make.`)
  if (strict) console.log(output)
  return false
}

const strict = process.argv.includes('--strict')
if (!buildNativeKernels(strict) && strict) process.exit(1)
