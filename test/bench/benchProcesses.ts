import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { BenchCase } from './benchCases'
import type { OursModelResult } from './oursModelProcess'

const run = promisify(execFile)
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

export interface AnchorResult {
  torch: string
  threads: number
  blas: string
  train: Record<string, number>
  inference: Record<string, number>
  peakRssMiB: number
}

const lastJsonLine = <T>(stdout: string): T => JSON.parse(stdout.trim().split('\n').at(-1)!) as T
const firstLine = (error: unknown) => {
  const { stderr, message } = error as { stderr?: string; message?: string }
  return (stderr?.trim().split('\n').at(-1) || message?.split('\n')[0] || String(error)).slice(0, 300)
}

/** One of our networks in a process of its own (oursModelProcess.ts); a reason where it failed. */
export async function oursInProcess(testCase: BenchCase, options: { inferenceOnly: boolean; env?: NodeJS.ProcessEnv }): Promise<OursModelResult | string> {
  const args = ['--import', 'tsx', here('./oursModelProcess.ts'), testCase.key, ...(options.inferenceOnly ? ['--inference-only'] : [])]
  try {
    const { stdout } = await run(process.execPath, args, { env: { ...process.env, ...options.env }, timeout: 20 * 60_000, maxBuffer: 1 << 22 })
    return lastJsonLine<OursModelResult>(stdout)
  } catch (error) {
    return `ours failed: ${firstLine(error)}`
  }
}

export async function findPython(): Promise<string | undefined> {
  for (const python of [process.env.WORKBENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    try {
      await run(python, ['-c', 'import torch'], { timeout: 60_000 })
      return python
    } catch {
      // try the next one
    }
  }
  return undefined
}

/**
 * PyTorch on one network (pytorchAnchor.py), in a process of its own: its own definition for the LeNets and
 * ResNet-18, else the code the workbench writes for the network; OMP_NUM_THREADS = cores.
 */
export async function anchorInProcess(python: string, testCase: BenchCase, options: { inferenceOnly: boolean; cores: number }): Promise<AnchorResult | string> {
  const folder = await mkdtemp(join(tmpdir(), 'cnn-workbench-anchor-'))
  try {
    const args = [here('./pytorchAnchor.py'), testCase.name, ...(options.inferenceOnly ? ['--inference-only'] : []), '--steps', String(testCase.batches)]
    if (testCase.pytorchCode) {
      const code = join(folder, 'net.py')
      await writeFile(code, testCase.pytorchCode)
      const [h, w, c] = testCase.imageShape
      args.push('--code', code, '--shape', `${c},${h},${w}`, '--batch', String(testCase.batchSize))
    }
    const { stdout } = await run(python, args, { env: { ...process.env, OMP_NUM_THREADS: String(options.cores) }, timeout: 20 * 60_000, maxBuffer: 1 << 22 })
    return lastJsonLine<AnchorResult>(stdout)
  } catch (error) {
    return `PyTorch failed: ${firstLine(error)}`
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
