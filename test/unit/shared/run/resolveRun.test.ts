import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ARCHITECTURE_IDS, getArchitecture } from '../../../../shared/arch/specs'
import { presetRun, resolveRun, safeResolveRun } from '../../../../shared/run/resolveRun'
import { trainRequestFromFlags, type TrainFlags } from '../../../../main/cli/trainCommand'
import { validateTrainForm } from '../../../../renderer/src/logic/trainForm'
import { expandSweep } from '../../../../shared/run/sweepRuns'
import { REPO_ROOT } from '../../../helpers/repoRoot'

const root = REPO_ROOT

describe('resolveRun', () => {
  it('fills everything a request leaves out from its preset, and records the preset', () => {
    const cpu = getArchitecture('alexnet').presets.cpu
    expect(resolveRun({ arch: 'alexnet', dataset: 'mnist', preset: 'cpu' })).toMatchObject({
      preset: 'cpu',
      inputSize: cpu.inputSize,
      knobs: cpu.knobs,
      epochs: cpu.training.epochs,
      batchSize: cpu.training.batchSize,
      learningRate: cpu.training.learningRate,
      optimizer: 'momentum',
      lrSchedule: 'constant',
    })
    expect(resolveRun({ arch: 'lenet-relu', dataset: 'mnist' })).toMatchObject({ preset: 'notes', inputSize: 28, optimizer: 'adam', lrSchedule: 'cosine', learningRate: 0.002 })
  })

  it('keeps what the request asks for over the preset', () => {
    const run = resolveRun({ arch: 'resnet18', dataset: 'cifar10', preset: 'cpu', optimizer: 'adam', learningRate: 0.001, knobs: { width: 0.5, residual: false } })
    expect(run).toMatchObject({ optimizer: 'adam', learningRate: 0.001, knobs: { width: 0.5, residual: false } })
  })

  it('is idempotent, and resolves a run stored before presets were recorded as the notes\u2019 run', () => {
    for (const id of ARCHITECTURE_IDS) {
      for (const preset of ['notes', 'cpu'] as const) {
        const once = presetRun(id, 'mnist', preset)
        expect(resolveRun(once)).toEqual(once)
      }
    }
    const old = { arch: 'alexnet' as const, dataset: 'mnist', epochs: 2, batchSize: 64, learningRate: 0.01 }
    expect(resolveRun(old)).toMatchObject({ preset: 'notes', optimizer: 'sgd', inputSize: 224 })
  })

  it('refuses a bad request with the schema\u2019s message instead of filling around it', () => {
    const result = safeResolveRun({ arch: 'lenet5', dataset: 'mnist', optimizer: 'adamw' })
    expect(result.success).toBe(false)
  })

  it('gives AlexNet, VGG, GoogLeNet and ResNet CPU runs their momentum, from the form and the CLI alike', () => {
    for (const arch of ['alexnet', 'vgg11', 'googlenet', 'resnet18'] as const) {
      const fromCli = resolveRun(trainRequestFromFlags({ arch, dataset: 'mnist', preset: 'cpu', backend: 'auto', seed: 1 } as TrainFlags))
      // The form as the Train view fills it for the CPU preset: its values come from the same resolution.
      const shown = presetRun(arch, 'mnist', 'cpu')
      const form = validateTrainForm({ arch, dataset: 'mnist', preset: 'cpu', epochs: shown.epochs, batchSize: shown.batchSize, learningRate: shown.learningRate, limit: '', backend: 'auto', inputSize: shown.inputSize, knobs: shown.knobs })
      const fromForm = resolveRun(form.config!)
      expect(fromForm.optimizer, arch).toBe('momentum')
      expect(fromForm).toEqual(fromCli)
    }
  })

  it('resolves a sweep\u2019s shared settings once, then varies only the swept ones', () => {
    const runs = expandSweep({ config: { arch: 'vgg11', dataset: 'mnist', preset: 'cpu' } as never, learningRates: [0.01, 0.02] })
    expect(runs.map((run) => [run.optimizer, run.learningRate, run.preset])).toEqual([
      ['momentum', 0.01, 'cpu'],
      ['momentum', 0.02, 'cpu'],
    ])
  })
})

/** Source files of the app (not tests), for the check below. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'build') return []
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|vue)$/.test(name) ? [path] : []
  })
}

/** `preset.training`, `presets.cpu.training`, `chosen?.training`, `x.training.optimizer`, `spec.defaults.epochs`. */
const FILLS_A_DEFAULT = /presets?(\[[^\]]*\]|\.\w+)?\??\.training\b|\?\.training\b|\.training\.(epochs|batchSize|learningRate|optimizer|lrSchedule)\b|withTrainingDefaults|\.defaults\.(optimizer|learningRate|batchSize|epochs|lrSchedule)\b/

describe('one resolution of a run', () => {
  it('no module but resolveRun reads a preset\u2019s training settings to fill a run', () => {
    // A preset's `.training` (epochs, batch, rate, optimizer, schedule) is read to fill a run only in
    // resolveRun; a module that reads it elsewhere is filling a default of its own.
    const offenders = ['main', 'shared', 'renderer']
      .flatMap((dir) => sources(join(root, dir)))
      .filter((path) => !path.endsWith(join('shared', 'run', 'resolveRun.ts')))
      .filter((path) => FILLS_A_DEFAULT.test(readFileSync(path, 'utf8')))
      .map((path) => relative(root, path))
    expect(offenders).toEqual([])
  })
})
