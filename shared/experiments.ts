/**
 * One-click experiments from the course notes: each queues two runs that differ in exactly one
 * setting, sized to train in about a minute each on a CPU (wasm backend), then opens Compare.
 */
import type { TrainConfigInput } from './api/schemas'

export interface ExperimentRun {
  /** What this run stands for in the comparison (`ReLU`, `no shortcuts`, ...). */
  label: string
  config: TrainConfigInput
}

export interface Experiment {
  id: string
  title: string
  /** What the notes teach with it, and what to look for. */
  summary: string
  /** The one config field (dotted path) that differs between the runs. */
  field: string
  runs: ExperimentRun[]
}

/** Sets a dotted path (`knobs.activation`) on a copy of the config; `undefined` removes the field. */
function withField(config: TrainConfigInput, field: string, value: unknown): TrainConfigInput {
  const copy = structuredClone(config) as Record<string, unknown>
  const path = field.split('.')
  let target = copy
  for (const key of path.slice(0, -1)) {
    target[key] = { ...((target[key] as Record<string, unknown> | undefined) ?? {}) }
    target = target[key] as Record<string, unknown>
  }
  const last = path.at(-1)!
  if (value === undefined) delete target[last]
  else target[last] = value
  return copy as TrainConfigInput
}

function experiment(
  id: string,
  title: string,
  summary: string,
  base: TrainConfigInput,
  field: string,
  variants: readonly (readonly [label: string, value: unknown])[],
): Experiment {
  return { id, title, summary, field, runs: variants.map(([label, value]) => ({ label, config: withField(base, field, value) })) }
}

/** Fashion-MNIST as in the notes; a slice of it so each run takes about a minute on wasm. */
const common = { dataset: 'fashion-mnist', seed: 7, validationFraction: 0.1 } as const

const lenetSigmoid: TrainConfigInput = { ...common, arch: 'lenet5', epochs: 3, batchSize: 64, learningRate: 0.9, optimizer: 'sgd', limit: 20_000 }
const lenetRelu: TrainConfigInput = { ...common, arch: 'lenet-relu', epochs: 2, batchSize: 128, learningRate: 0.05, optimizer: 'momentum', limit: 20_000 }
/** The CPU presets' sizes (shared/arch/families): ResNet-18 at 32 px and AlexNet at 96 px, a quarter wide. */
const resnetCpu: TrainConfigInput = { ...common, arch: 'resnet18', epochs: 1, batchSize: 128, learningRate: 0.05, optimizer: 'momentum', limit: 10_000, inputSize: 32, knobs: { width: 0.25 } }
const alexnetCpu: TrainConfigInput = { ...common, arch: 'alexnet', epochs: 2, batchSize: 128, learningRate: 0.01, optimizer: 'momentum', limit: 5_000, inputSize: 96, knobs: { width: 0.25 } }

export const EXPERIMENTS: readonly Experiment[] = [
  experiment(
    'sigmoid-vs-relu',
    'Sigmoid vs ReLU',
    'LeNet-5 with the original sigmoid activations against ReLU: ReLU does not saturate, so its loss falls sooner.',
    { ...lenetSigmoid, learningRate: 0.5 },
    'knobs.activation',
    [['sigmoid', 'sigmoid'], ['ReLU', 'relu']],
  ),
  experiment(
    'avg-vs-max-pooling',
    'Average vs max pooling',
    'The ReLU LeNet with average pooling (as in 1998) against max pooling, which keeps the strongest response.',
    lenetRelu,
    'knobs.pooling',
    [['average', 'avg'], ['max', 'max']],
  ),
  experiment(
    'batch-norm',
    'With vs without batch norm',
    'The sigmoid LeNet with and without batch normalization after each layer: normalized layers train faster at the same rate.',
    lenetSigmoid,
    'knobs.batchNorm',
    [['no batch norm', false], ['batch norm', true]],
  ),
  experiment(
    'resnet-shortcuts',
    'ResNet with vs without shortcuts',
    'ResNet-18 (CPU size) with its identity shortcuts and as a plain deep stack: the shortcuts let gradients through.',
    resnetCpu,
    'knobs.residual',
    [['shortcuts', true], ['no shortcuts', false]],
  ),
  experiment(
    'dropout',
    'Dropout on vs off (AlexNet)',
    'AlexNet (CPU size) with dropout 0.5 in its dense layers and without: watch the gap between training and test accuracy.',
    alexnetCpu,
    'knobs.dropout',
    [['dropout 0.5', 0.5], ['no dropout', 0]],
  ),
  experiment(
    'augmentation',
    'Augmentation on vs off',
    'The ReLU LeNet trained on the images as they are, and on randomly shifted and mirrored copies.',
    lenetRelu,
    'augment',
    [['no augmentation', undefined], ['crop + flip', { cropPadding: 2, flip: true }]],
  ),
  experiment(
    'shuffle',
    'Shuffle on vs off',
    'The ReLU LeNet seeing the training images in a new order every epoch, and always in the same order.',
    { ...lenetRelu, epochs: 3, limit: 12_000 },
    'shuffle',
    [['shuffled', true], ['fixed order', false]],
  ),
]

export function getExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((entry) => entry.id === id)
}
