import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { writeFile } from 'node:fs/promises'

const root = join(import.meta.dirname, '..', '..')

function cli(args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'main/cli/cli.ts', '--data-dir', dataDir, ...args], { cwd: root, timeout: 240_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

describe('CLI', () => {
  it('doctor: without the native kernels (not built, or no BLAS) training falls back to wasm and says why', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-doctor-'))
    const unbuilt = await cli(['doctor'], dataDir, { WORKBENCH_NATIVE_KERNELS: join(dataDir, 'missing', 'workbench_kernels.node') })
    expect(unbuilt.code).toBe(0)
    expect(unbuilt.stdout).toMatch(/Backend\s+wasm \(self-test/)
    expect(unbuilt.stdout).toMatch(/skipped wasm-blas: native kernels are not built .*npm run build:native/)
    const noBlas = await cli(['doctor'], dataDir, { WORKBENCH_BLAS: join(dataDir, 'libopenblas.so.0') })
    expect(noBlas.stdout).toMatch(/Backend\s+wasm \(self-test/)
    // Where the addon is built, the reason is the missing library; where it is not, that it is not built.
    expect(noBlas.stdout).toMatch(/skipped wasm-blas: (no optimized BLAS found \(install OpenBLAS|native kernels are not built)/)
  }, 120_000)

  it('trains lenet-relu on 3,000 MNIST images in a worker process and beats chance by a wide margin', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-train-'))
    const { code, stdout, stderr } = await cli(['train', '--arch', 'lenet-relu', '--limit', '3000', '--epochs', '2', '--lr', '0.1', '--optimizer', 'momentum', '--json'], dataDir)
    expect(stderr).not.toMatch(/\n\s+at /) // no stack traces
    expect(code).toBe(0)
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(summary).toMatchObject({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, params: 61706, trainImages: 3000 })
    for (const key of ['runId', 'backend', 'samplesPerSecond', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy']) expect(summary).toHaveProperty(key)
    expect(summary.testAccuracy).toBeGreaterThan(0.6) // chance is 0.1
    expect(summary.samplesPerSecond).toBeGreaterThan(0)
    expect(summary.backendSkipped.length).toBeGreaterThanOrEqual(2)

    // The trained run is stored and can classify a dropped image; a non-image is named in the error.
    const digit = Buffer.alloc(28 * 28)
    for (let y = 5; y < 23; y++) for (let x = 13; x < 16; x++) digit[y * 28 + x] = 255
    const png = join(dataDir, 'one.png')
    await writeFile(png, await sharp(digit, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer())
    const predicted = await cli(['predict', summary.runId, png, '--json'], dataDir)
    expect(predicted.code).toBe(0)
    const top = JSON.parse(predicted.stdout.trim())
    expect(top).toHaveLength(3)
    expect(top[0].probability).toBeGreaterThanOrEqual(top[1].probability)
    expect(predicted.stderr).toBe('')

    // A blank image still gets its ranking, but with a warning that it means nothing.
    const blank = join(dataDir, 'blank.png')
    await writeFile(blank, await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } }).png().toBuffer())
    const blankPrediction = await cli(['predict', summary.runId, blank], dataDir)
    expect(blankPrediction.code).toBe(0)
    expect(blankPrediction.stderr.trim()).toMatch(/^warning: blank\.png: This image is blank or nearly uniform/)

    const notes = join(dataDir, 'notes.txt')
    await writeFile(notes, 'not an image')
    const bad = await cli(['predict', summary.runId, notes], dataDir)
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('error: notes.txt is not an image that can be read (unsupported or unknown format; use PNG, JPEG, WebP, GIF or TIFF)')
  }, 240_000)

  it('explains an absurd hyperparameter in one line, without a stack trace', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-bad-'))
    const result = await cli(['train', '--arch', 'lenet-relu', '--epochs', '0', '--json'], dataDir)
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe('error: epochs: Too small: expected number to be >=1')
    const notNumber = await cli(['train', '--arch', 'lenet-relu', '--lr', 'fast'], dataDir)
    expect(notNumber.code).toBe(1)
    expect(notNumber.stderr).toContain('expected a number, got "fast"')
  }, 60_000)

  it('fails a forced backend that cannot load, saying why', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-gpu-'))
    const result = await cli(['train', '--arch', 'lenet-relu', '--limit', '100', '--backend', 'tensorflow-gpu', '--json'], dataDir)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/failed: no TensorFlow\.js backend could be used: tensorflow-gpu: @tensorflow\/tfjs-node-gpu/)
  }, 60_000)
})
