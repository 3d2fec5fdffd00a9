import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { INSTRUCTION_SETS, instructionSetCap, type NativeKernels } from '../../../../main/backends/native/nativeKernels'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { loadNativeKernelsForTests } from '../../../helpers/nativeKernelsForTests'
import { REPO_ROOT } from '../../../helpers/repoRoot'

/**
 * The instruction-set cap (WORKBENCH_NATIVE_ISA, wb::availableIsa): an AVX-512 machine runs the AVX2 build
 * AVX2-only CPUs run, and 'generic' selects what ARM and Apple CPUs get (no direct kernel: im2col + BLAS),
 * with the same numbers as tfjs's cpu backend on each.
 */
const loaded = loadNativeKernelsForTests('instruction set tests')
const native = loaded.native as NativeKernels
const run = promisify(execFile)

describe('WORKBENCH_NATIVE_ISA', () => {
  it('is read as one of the sets the kernels are built for, or refused saying which exist', () => {
    expect(instructionSetCap({})).toBeUndefined()
    expect(instructionSetCap({ WORKBENCH_NATIVE_ISA: ' AVX2 ' })).toBe('avx2')
    expect(instructionSetCap({ WORKBENCH_NATIVE_ISA: 'generic' })).toBe('generic')
    expect(() => instructionSetCap({ WORKBENCH_NATIVE_ISA: 'sse4' })).toThrow('WORKBENCH_NATIVE_ISA=sse4 is not an instruction set of the native kernels: use avx512, avx2, generic')
  })
})

describe.skipIf(loaded.unavailable)('the instruction set the native kernels select', () => {
  afterEach(() => {
    native.addon.setInstructionSet('avx512')
    native.addon.setConvAlgorithm('direct')
  })

  const rank = (isa: string) => INSTRUCTION_SETS.length - INSTRUCTION_SETS.indexOf(isa as (typeof INSTRUCTION_SETS)[number])

  it('is the CPU own widest unless capped, and never wider than the CPU', () => {
    expect(native.isa).toBe(native.cpuIsa)
    for (const cap of INSTRUCTION_SETS) {
      const used = native.addon.setInstructionSet(cap)
      expect(used, cap).toBe(rank(cap) < rank(native.cpuIsa) ? cap : native.cpuIsa)
    }
    expect(() => native.addon.setInstructionSet('neon')).toThrow(/must be avx512, avx2 or generic/)
  })

  // A convolution the direct kernel covers (3 channels in, 20 out, stride 1 and 2).
  const rand = createRandom(5)
  const x = Float32Array.from({ length: 2 * 9 * 9 * 3 }, () => rand() * 2 - 1)
  const w = Float32Array.from({ length: 3 * 3 * 3 * 20 }, () => rand() * 2 - 1)
  const reference = (stride: number) =>
    tf.tidy(() => tf.conv2d(tf.tensor4d(x, [2, 9, 9, 3]), tf.tensor4d(w, [3, 3, 3, 20]), stride, 'same').dataSync() as Float32Array)

  it.each(INSTRUCTION_SETS)('under a cap of %s: the direct kernel only where the set has one, the same numbers as cpu', async (cap) => {
    await tf.setBackend('cpu')
    const used = native.addon.setInstructionSet(cap)
    // Asking for the direct kernel says whether one exists: none without AVX2 (im2col + BLAS runs instead).
    expect(native.addon.setConvAlgorithm('direct')).toBe(used !== 'generic')
    for (const stride of [1, 2]) {
      const out = Math.ceil(9 / stride)
      const pad = Math.max((out - 1) * stride + 3 - 9, 0) >> 1
      const y = new Float32Array(2 * out * out * 20)
      native.addon.conv2d(x, w, null, y, Int32Array.of(2, 9, 9, 3, out, out, 20, 3, 3, stride, stride, pad, pad, 1, 1), 0)
      const expected = reference(stride)
      const worst = y.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0)
      expect(worst, `${used}, stride ${stride}`).toBeLessThan(1e-4)
    }
  })

  // OpenBLAS picks its kernels once, when it loads: the cap must reach it, so it is checked in a process of its own.
  it.skipIf(native?.cpuIsa !== 'avx512')('capped at avx2 from the environment, OpenBLAS takes the Haswell kernels an AVX2 CPU gets', async () => {
    const script = "import { loadNativeKernels } from './main/backends/native/nativeKernels'; const k = loadNativeKernels(); console.log(JSON.stringify({ isa: k.isa, cpuIsa: k.cpuIsa, blas: k.blasConfig }))"
    const env = { ...process.env, WORKBENCH_NATIVE_ISA: 'avx2', OPENBLAS_CORETYPE: '' }
    delete env.OPENBLAS_CORETYPE
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env, timeout: 120_000 })
    const reported = JSON.parse(stdout.trim().split('\n').at(-1)!) as { isa: string; cpuIsa: string; blas: string }
    expect(reported.isa).toBe('avx2')
    expect(reported.cpuIsa).toBe('avx512')
    if (/OpenBLAS/.test(reported.blas)) expect(reported.blas).toMatch(/Haswell/)
  }, 120_000)
})
