import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import { registerTrainCommand, trainRequestFromFlags, type TrainFlags } from '../../../main/cli/trainCommand'
import { resolveRun } from '../../../shared/run/resolveRun'
import { TRAINING_OPTIONS } from '../../../shared/run/trainingOptions'
import { optionRequest } from '../../../renderer/src/logic/trainOptionsForm'
import { REPO_ROOT } from '../../helpers/repoRoot'

/** `train`'s flags as commander reads them (its action replaced: nothing opens or trains). */
function parseTrain(...args: string[]): TrainFlags {
  const program = new Command('cnn-workbench').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
  const never = () => {
    throw new Error('the test never opens a workbench')
  }
  registerTrainCommand(program, never, never)
  const train = program.commands.find((command) => command.name() === 'train')!
  let flags: TrainFlags | undefined
  train.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
  train.action((given: TrainFlags) => void (flags = given))
  program.parse(['node', 'cli', 'train', ...args])
  return flags!
}

describe('train: the flags of the shared option list', () => {
  it('has a flag for every option, and the README names each', () => {
    const program = new Command()
    registerTrainCommand(program, () => Promise.reject(new Error('no')), (message) => {
      throw new Error(message)
    })
    const flags = program.commands.find((command) => command.name() === 'train')!.options.map((option) => option.long)
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    for (const option of TRAINING_OPTIONS) {
      expect(flags).toContain(option.flag)
      expect(readme).toContain(`\`${option.flag}`)
    }
  })

  it('reads every option into the request the Train form sends for the same choices', () => {
    const flags = parseTrain(
      ...['--arch', 'lenet5', '--epochs', '2', '--optimizer', 'nesterov', '--schedule', 'step', '--step-epochs', '3', '--step-gamma', '0.5'],
      ...['--warmup', '0.5', '--weight-decay', '0.0005', '--clip', '5', '--validation', '0.1', '--patience', '2', '--seed', '7'],
      ...['--augment', 'crop,flip', '--normalize', 'dataset', '--no-shuffle', '--parallel', '2', '--precision', 'mixed'],
    )
    const fromCli = trainRequestFromFlags(flags)
    const form = optionRequest(
      {
        optimizer: 'nesterov',
        lrSchedule: 'step',
        lrStepEpochs: '3',
        lrStepGamma: '0.5',
        warmupEpochs: '0.5',
        weightDecay: '0.0005',
        gradientClipNorm: '5',
        validationFraction: '0.1',
        earlyStoppingPatience: '2',
        seed: '7',
        normalize: 'dataset',
        shuffle: false,
        parallelism: '2',
        precision: 'mixed',
      },
      { backend: 'auto' },
    )
    expect(form.errors).toEqual({})
    // The form binds augmentation to the Data view's (the same AugmentConfig the names stand for).
    const fromForm = { arch: 'lenet5', dataset: 'mnist', epochs: 2, backend: 'auto', ...form.values, augment: fromCli.augment } as const
    expect(resolveRun(fromForm)).toEqual(resolveRun(fromCli))
    expect(resolveRun(fromCli)).toMatchObject({ optimizer: 'nesterov', lrSchedule: 'step', lrStepEpochs: 3, lrStepGamma: 0.5, seed: 7, shuffle: false, normalize: 'dataset' })
    expect(fromCli.augment).toMatchObject({ cropPadding: 4, flip: true, brightness: 0 })
  })

  it('sends only the flags given: the preset fills the rest', () => {
    const request = trainRequestFromFlags(parseTrain('--arch', 'lenet-relu'))
    expect(request).toEqual({ arch: 'lenet-relu', dataset: 'mnist', backend: 'auto' })
    expect(resolveRun(request)).toMatchObject({ optimizer: 'adam', lrSchedule: 'cosine', shuffle: true, seed: 1 })
  })

  it('refuses a bad value with the schema\u2019s bound or the accepted names, as the form does', () => {
    expect(() => parseTrain('--arch', 'lenet5', '--validation', '0.9')).toThrow(/--validation <fraction>.*Must be at most 0\.5/)
    expect(() => parseTrain('--arch', 'lenet5', '--patience', '1.5')).toThrow(/Must be a whole number/)
    expect(() => parseTrain('--arch', 'lenet5', '--clip', 'lots')).toThrow(/Enter a number \(got "lots"\)/)
    expect(() => parseTrain('--arch', 'lenet5', '--augment', 'crop,spin')).toThrow(/Unknown spin: choose from crop, flip, jitter, pca/)
    expect(() => parseTrain('--arch', 'lenet5', '--optimizer', 'adamw')).toThrow(/Allowed choices are sgd, momentum, nesterov, adam, rmsprop/)
    expect(() => parseTrain('--arch', 'lenet5', '--normalize', '0.5:x')).toThrow(/Expected none, dataset or mean:std/)
    expect(optionRequest({ validationFraction: '0.9', earlyStoppingPatience: '1.5' }, { backend: 'auto' }).errors).toEqual({
      validationFraction: 'Must be at most 0.5',
      earlyStoppingPatience: 'Must be a whole number',
    })
  })
})
