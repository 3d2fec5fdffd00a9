import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** GFLOP/s of fused multiply-adds on every core, per instruction set (null where the CPU lacks it). */
export interface FmaPeak {
  threads: number
  avx512: number | null
  avx2: number | null
}

/**
 * The machine's FMA peak: fmaPeak.cc compiled with g++ (once per version of the source, into the temp
 * folder) and run on `threads` threads. A reason instead where there is no compiler or no x86.
 */
export async function measureFmaPeak(threads: number): Promise<FmaPeak | string> {
  if (process.arch !== 'x64') return `FMA peak not measured: the microbench is x86-64 only (this is ${process.arch})`
  const source = fileURLToPath(new URL('./fmaPeak.cc', import.meta.url))
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12)
  const binary = join(tmpdir(), `cnn-workbench-fma-peak-${hash}`)
  try {
    if (!existsSync(binary)) await run(process.env.CXX ?? 'g++', ['-O3', '-std=c++17', '-pthread', source, '-o', binary], { timeout: 120_000 })
  } catch (error) {
    return `FMA peak not measured: g++ could not build ${source} (${(error as Error).message.split('\n')[0]})`
  }
  const { stdout } = await run(binary, [String(threads)], { timeout: 120_000 })
  return JSON.parse(stdout.trim()) as FmaPeak
}
