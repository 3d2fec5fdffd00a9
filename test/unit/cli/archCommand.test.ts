import { afterEach, describe, expect, it, vi } from 'vitest'
import { Command } from 'commander'
import { registerArchCommand } from '../../../main/cli/archCommand'

/** Runs `arch ...` on a program holding only that command; returns what it printed and the exit code. */
async function runArch(...args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line))
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line))
  const program = new Command('cnn-workbench').exitOverride()
  registerArchCommand(program)
  process.exitCode = undefined
  await program.parseAsync(['node', 'cli', 'arch', ...args])
  const exitCode = process.exitCode as number | undefined
  process.exitCode = undefined
  return { out: out.join('\n'), err: err.join('\n'), exitCode }
}

afterEach(() => vi.restoreAllMocks())

describe('cli arch', () => {
  it('prints AlexNet as the notes build it, with 1,000 classes, as one JSON object', async () => {
    const { out, exitCode } = await runArch('alexnet', '--classes', '1000', '--json')
    const result = JSON.parse(out)
    expect(result.totalParams).toBe(50_820_776)
    expect(result.outputShape).toEqual([1000])
    expect(result.layers.find((l: { name: string }) => l.name === 'classifier.flatten1').outputShape).toEqual([6400])
    expect(exitCode).toBeUndefined()
  })

  it('honours --input-size, --channels and knobs, and prints a table', async () => {
    const { out } = await runArch('resnet18', '--input-size', '32', '--channels', '3', '--no-residual', '--width', '0.25')
    expect(out).toMatch(/ResNet-18 at 32×32×3/)
    expect(out).not.toMatch(/add shortcut/)
    expect(out).toMatch(/total: [\d,]+ trainable parameters/)
    const json = JSON.parse((await runArch('lenet5', '--json')).out)
    expect(json.totalParams).toBe(61_706)
    expect(json.outputShape).toEqual([10])
  })

  it('explains an input too small at the failing layer and exits with 1', async () => {
    const { out, err, exitCode } = await runArch('alexnet', '--input-size', '28')
    expect(out).toMatch(/conv2\.pool1\s+max pool 3x3 \/2\s+cannot be built: the 2x2 input is smaller than this 3x3 window/)
    expect(err).toMatch(/conv2\.pool1/)
    expect(exitCode).toBe(1)
  })
})
