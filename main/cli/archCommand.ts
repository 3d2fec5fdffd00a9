import { Command, InvalidArgumentError, Option } from 'commander'
import { describeValidationError } from '../../shared/api/contract'
import { ArchKnobs, InputSize } from '../../shared/api/schemas'
import { describeOp, formatBytes, formatCompact, formatShape } from '../../shared/arch/describe'
import { analyzeModel } from '../../shared/arch/layerMath'
import {
  ACTIVATIONS,
  ARCHITECTURE_IDS,
  getArchitecture,
  POOL_MODES,
  PRESET_IDS,
  type ArchitectureId,
  type ArchKnobs as Knobs,
  type PresetId,
} from '../../shared/arch/specs'

/** Flags shared by `train` and `arch`: input size, preset and the architecture knobs. */
export interface ArchFlags {
  inputSize?: number
  preset?: PresetId
  activation?: Knobs['activation']
  pooling?: Knobs['pooling']
  batchNorm?: boolean
  dropout?: number
  lrn?: boolean
  residual?: boolean
  reductions?: boolean
  width?: number
}

export function parseNumber(kind: 'int' | 'float') {
  return (value: string) => {
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || (kind === 'int' && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(`expected ${kind === 'int' ? 'a whole number' : 'a number'}, got "${value}"`)
    }
    return parsed
  }
}

/** Adds the knob flags; paired --x / --no-x leave the value undefined (the architecture's default) unless given. */
export function addArchOptions(command: Command): Command {
  return command
    .option('--input-size <n>', 'side of the square input the network sees (default: the architecture\u2019s)', parseNumber('int'))
    .addOption(new Option('--preset <id>', 'notes: the notes\u2019 setting; cpu: smaller input and width').choices(PRESET_IDS))
    .addOption(new Option('--activation <fn>', 'activation').choices(ACTIVATIONS))
    .addOption(new Option('--pooling <mode>', 'pooling').choices(POOL_MODES))
    .option('--batch-norm', 'batch norm after convolutions and hidden dense layers')
    .option('--no-batch-norm', 'no batch norm')
    .option('--dropout <rate>', 'dropout rate (0 removes the dropout layers)', parseNumber('float'))
    .option('--lrn', 'local response normalisation (AlexNet)')
    .option('--no-lrn', 'no local response normalisation')
    .option('--residual', 'residual shortcuts (ResNet)')
    .option('--no-residual', 'a plain network of the same depth, without shortcuts')
    .option('--reductions', 'the 1x1 reductions before Inception\u2019s 3x3 and 5x5 convolutions (GoogLeNet)')
    .option('--no-reductions', 'Inception blocks without their 1x1 reductions')
    .option('--width <multiplier>', 'multiplies every hidden width, e.g. 0.25', parseNumber('float'))
}

/** The preset's input size and knobs, overridden by the flags given; validated with the API's schemas. */
export function archOptionsFromFlags(id: ArchitectureId, flags: ArchFlags): { inputSize?: number; knobs?: Partial<Knobs> } {
  const preset = flags.preset ? getArchitecture(id).presets[flags.preset] : undefined
  const given = {
    activation: flags.activation,
    pooling: flags.pooling,
    batchNorm: flags.batchNorm,
    dropout: flags.dropout,
    lrn: flags.lrn,
    residual: flags.residual,
    reductions: flags.reductions,
    width: flags.width,
  }
  const knobs = { ...preset?.knobs, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) }
  const parsedKnobs = ArchKnobs.safeParse(knobs)
  if (!parsedKnobs.success) throw new InvalidArgumentError(describeValidationError(parsedKnobs.error))
  const inputSize = flags.inputSize ?? preset?.inputSize
  if (inputSize !== undefined) {
    const parsedSize = InputSize.safeParse(inputSize)
    if (!parsedSize.success) throw new InvalidArgumentError(`input size: ${describeValidationError(parsedSize.error)}`)
  }
  return { ...(inputSize !== undefined ? { inputSize } : {}), ...(Object.keys(knobs).length ? { knobs: parsedKnobs.data } : {}) }
}

interface ArchCommandFlags extends ArchFlags {
  channels?: number
  classes?: number
  json?: boolean
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

/** `arch <id>`: the inspector's layer table, or one JSON object; exit code 1 when the combination cannot work. */
function printArch(id: ArchitectureId, flags: ArchCommandFlags): void {
  const spec = getArchitecture(id, { ...archOptionsFromFlags(id, flags), channels: flags.channels, classes: flags.classes })
  const info = analyzeModel(spec, spec.input)
  if (flags.json) {
    console.log(
      JSON.stringify({
        id,
        name: spec.name,
        inputShape: [spec.input.height, spec.input.width, spec.input.channels],
        knobs: spec.knobs,
        totalParams: info.totalParams,
        nonTrainableParams: info.nonTrainableParams,
        totalMacs: info.totalMacs,
        activationBytes: info.activationBytes,
        outputShape: info.outputShape,
        problems: info.problems,
        layers: info.layers.map((l) => ({
          name: l.name,
          op: describeOp(l.op),
          outputShape: l.outputShape,
          params: l.params,
          macs: l.macs,
          receptiveField: l.receptiveField,
          jump: l.jump,
          activationBytes: l.activationBytes,
          ...(l.problem ? { problem: l.problem } : {}),
        })),
      }),
    )
  } else {
    console.log(`${spec.name} at ${formatShape([spec.input.height, spec.input.width, spec.input.channels])}, ${spec.classes} classes`)
    const nameWidth = Math.max(5, ...info.layers.map((l) => l.name.length)) + 2
    const header = `${pad('layer', nameWidth)}${pad('operation', 24)}${pad('output', 14)}${pad('params', 12, true)}${pad('MACs', 12, true)}${pad('RF', 6, true)}${pad('jump', 6, true)}${pad('memory', 11, true)}`
    console.log(header)
    console.log('-'.repeat(header.length))
    for (const l of info.layers) {
      if (l.problem) {
        console.log(`${pad(l.name, nameWidth)}${pad(describeOp(l.op), 24)}cannot be built: ${l.problem}`)
        continue
      }
      if (!l.outputShape) continue
      console.log(
        `${pad(l.name, nameWidth)}${pad(describeOp(l.op), 24)}${pad(formatShape(l.outputShape), 14)}` +
          `${pad(l.params ? l.params.toLocaleString('en-US') : '', 12, true)}${pad(l.macs ? formatCompact(l.macs) : '', 12, true)}` +
          `${pad(String(l.receptiveField), 6, true)}${pad(String(l.jump), 6, true)}${pad(formatBytes(l.activationBytes), 11, true)}`,
      )
    }
    console.log('-'.repeat(header.length))
    if (info.problems.length) {
      console.log('this combination cannot be built; change the input size or the knobs')
    } else {
      console.log(
        `total: ${info.totalParams.toLocaleString('en-US')} trainable parameters` +
          (info.nonTrainableParams ? ` (+${info.nonTrainableParams.toLocaleString('en-US')} batch-norm statistics)` : '') +
          `, ${formatCompact(info.totalMacs)} multiply-adds and ${formatBytes(info.activationBytes)} of activations per sample, output ${formatShape(info.outputShape)}`,
      )
    }
  }
  if (info.problems.length) {
    if (!flags.json) console.error(`error: ${info.problems[0].layer}: ${info.problems[0].message}`)
    process.exitCode = 1
  }
}

export function registerArchCommand(program: Command): void {
  const command = program
    .command('arch')
    .description('print an architecture\u2019s layers: output shapes, parameters, multiply-adds, receptive fields')
    .addArgument(program.createArgument('<id>', 'architecture').choices(ARCHITECTURE_IDS))
    .option('--channels <n>', 'input channels (default 1)', parseNumber('int'))
    .option('--classes <n>', 'output classes (default 10)', parseNumber('int'))
    .option('--json', 'print one JSON object (totalParams: trainable parameters; outputShape)')
  addArchOptions(command).action((id: ArchitectureId, flags: ArchCommandFlags) => printArch(id, flags))
}
