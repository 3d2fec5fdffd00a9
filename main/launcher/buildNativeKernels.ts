import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { environment } from '../config/environment'

/**
 * Builds the native kernels (main/backends/native, a Node-API addon) with node-gyp: part of our postinstall
 * and `npm run build:native`. They are optional: without a C++ compiler the build fails in one line and
 * the backend ladder uses plain wasm, saying why. The JPEG decoder (main/backends/native/jpeg, libjpeg-turbo)
 * is a second addon, built after them: without jpeglib.h it fails alone and folder JPEGs decode through
 * sharp. `--strict` makes either failure an error (CI).
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

function runNodeGyp(script: string, dir: string): { ok: boolean; reason: string; output: string } {
  const result = spawnSync(process.execPath, [script, 'rebuild', '--silent', '-C', dir], { encoding: 'utf8', timeout: 5 * 60_000 })
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}\n${result.error?.message ?? ''}`
  const reason = output.split('\n').find((line) => /error/i.test(line))?.trim() ?? `node-gyp exited with ${result.status}`
  return { ok: result.status === 0, reason: reason.slice(0, 200), output }
}

function buildNativeKernels(strict: boolean): boolean {
  const script = nodeGypScript()
  if (!script) {
    console.log('Native kernels not built: node-gyp was not found (run `npm run build:native` through npm). Training uses plain wasm.')
    return false
  }
  const kernels = runNodeGyp(script, nativeDir)
  if (kernels.ok) console.log(`Native kernels built (${join(nativeDir, 'build', 'Release', 'workbench_kernels.node')}).`)
  else console.log(`Native kernels could not be built (${kernels.reason}): training uses plain wasm. Needs a C++ compiler and make.`)
  if (!kernels.ok && strict) console.log(kernels.output)
  // The JPEG decoder is a separate addon: without libjpeg-turbo's headers the kernels still build.
  const jpegDir = join(nativeDir, 'jpeg')
  const jpeg = runNodeGyp(script, jpegDir)
  if (jpeg.ok) console.log(`Native JPEG decoder built (${join(jpegDir, 'build', 'Release', 'workbench_jpeg.node')}).`)
  else console.log(`Native JPEG decoder could not be built (${jpeg.reason}): folder JPEGs decode through sharp. Needs libjpeg-turbo's headers (Debian: libjpeg62-turbo-dev).`)
  if (!jpeg.ok && strict) console.log(jpeg.output)
  return kernels.ok && jpeg.ok
}

const strict = process.argv.includes('--strict')
if (!buildNativeKernels(strict) && strict) process.exit(1)
