/**
 * The lessons (issue #19): each one answers a sentence of the course notes with two or more runs that
 * differ in one setting. The settings are tuned so that the claim shows for any seed on a CPU
 * (wasm-blas, 2 cores) in a minute or two: `npm run bench:lessons` checks that over five seeds, and the
 * README's Lessons table lists what it measured. Change a setting here only with a bench run beside it.
 */
import type { TrainConfigInput } from '../api/schemas'
import { LESSON_IDS, type Lesson, type LessonId, type LessonPointer, type LessonRun, type NotesQuote } from './lessonTypes'

export { LESSON_IDS }

/** Sets a dotted path (`knobs.activation`) on a copy of the config; `undefined` removes the field. */
export function withField(config: TrainConfigInput, field: string, value: unknown): TrainConfigInput {
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

interface LessonText {
  title: string
  concept: string
  quote: NotesQuote
  claim: string
  lookNext: LessonPointer[]
}

/** A lesson whose runs are `base` with `field` set to each variant's value, in order (baseline first). */
function lesson(id: LessonId, text: LessonText, base: TrainConfigInput, field: string, variants: readonly (readonly [label: string, value: unknown])[]): Lesson {
  const runs: LessonRun[] = variants.map(([label, value]) => ({ label, config: withField(base, field, value) }))
  return { id, ...text, field, runs }
}

/**
 * Fashion-MNIST, as in the notes, every lesson with a fixed slice so a lesson takes a minute or two, and the
 * same 2,000 test images for every run (evaluating all 10,000 after every epoch would cost more than training).
 * `evaluateTrainSplit` measures training accuracy in evaluation mode each epoch: the gap a lesson shows
 * is then between like and like (no dropout, no augmentation on either side).
 */
const common = { dataset: 'fashion-mnist', seed: 1, evaluateTrainSplit: true, testLimit: 2000 } as const

/** The ReLU LeNet of the notes' code exercise 2 at its own recipe (Adam), on a 4,000-image slice. */
const lenetRelu: TrainConfigInput = { ...common, arch: 'lenet-relu', epochs: 2, batchSize: 64, learningRate: 0.002, optimizer: 'adam', lrSchedule: 'constant', limit: 4000 }
/** A slice small enough that LeNet overfits within a few epochs: the gap the regularisers close. */
const overfitting: TrainConfigInput = { ...lenetRelu, limit: 500, epochs: 20, batchSize: 16, knobs: { width: 2 } }
/**
 * Dropout delays memorization rather than preventing it: by epoch 20-30 the run with dropout has learned the
 * 500 images by heart too and the gaps differ by 0-4 points (the 5-seed bench held 1/5 at 30 epochs, 4/5 at
 * 14). At 10 epochs the gap is 5.9-9.5 points smaller in every seed (two 5-seed benches; tfjs draws dropout's
 * masks unseeded, a seeded mask would repeat at every step, so the run with dropout differs between reruns).
 */
const overfittingDropout: TrainConfigInput = { ...overfitting, epochs: 10 }

export const LESSONS: readonly Lesson[] = [
  lesson(
    'sigmoid-vs-relu',
    {
      title: 'Sigmoid vs ReLU',
      concept:
        'LeNet (1998) squashes every layer through a sigmoid; the notes\u2019 exercise swaps it for ReLU. A sigmoid\u2019s slope is at most 1/4 and nearly 0 for large inputs, so the gradient that reaches the first layers is tiny and learning starts slowly; ReLU passes a slope of 1 for every positive input.',
      quote: {
        section: 'Q&A 6',
        zh: '激活函数的改变:LeNet 中使用的是 Sigmoid 激活函数,而代码练习二中使用的是 ReLU(Rectified Linear Unit)激活函数。ReLU 在计算上更加高效,并且可以缓解梯度消失问题,有助于网络的训练和收敛。',
        en: 'The change of activation: LeNet uses the sigmoid, code exercise 2 uses ReLU. ReLU is cheaper to compute and eases the vanishing-gradient problem, which helps the network train and converge.',
      },
      claim: 'ReLU is ahead after epoch 1 and ends at least as high as the sigmoid.',
      lookNext: [
        { view: 'inspect', text: 'Inspect the gradients of the first convolution in both runs: the sigmoid\u2019s are far smaller.' },
        { view: 'compare', text: 'Compare the two loss curves over the first epoch.' },
      ],
    },
    // The same optimizer and rate for both, one where ReLU is stable (the old card ran ReLU at SGD 0.5, where it diverges).
    { ...common, arch: 'lenet5', epochs: 2, batchSize: 64, learningRate: 0.05, optimizer: 'momentum', limit: 4000 },
    'knobs.activation',
    [['sigmoid', 'sigmoid'], ['ReLU', 'relu']],
  ),
  lesson(
    'avg-vs-max-pooling',
    {
      title: 'Average vs max pooling',
      concept:
        'LeNet averages each 2x2 window; the exercise keeps the strongest response instead. Both halve the feature maps; max pooling keeps the sharpest edges and is a little more tolerant of small shifts.',
      quote: {
        section: 'Q&A 6',
        zh: '池化层的改变:LeNet 中使用的是平均池化(average pooling),而代码练习二中使用的是最大池化(max pooling)。最大池化在保留主要特征的同时减少了特征图的维度,有助于提取更显著的特征。',
        en: 'The change of pooling: LeNet uses average pooling, code exercise 2 uses max pooling. Max pooling shrinks the feature maps while keeping the main features, which helps extract the more salient ones.',
      },
      claim: 'Both learn well above chance; the difference is shown, not judged (see the maps in Inspect).',
      lookNext: [{ view: 'inspect', text: 'Inspect the pooling layers\u2019 feature maps of one image in both runs: max keeps bright strokes, average blurs them.' }],
    },
    lenetRelu,
    'knobs.pooling',
    [['average', 'avg'], ['max', 'max']],
  ),
  lesson(
    'batch-norm',
    {
      title: 'Batch normalization',
      concept:
        'Batch norm rescales each layer\u2019s outputs over the batch to mean 0 and variance 1 before the activation. The sigmoids then work where their slope is largest, so the same learning rate moves the network much further per step.',
      quote: {
        section: 'Batch Normalization',
        zh: 'Batch Normalization 的目的是通过归一化技术使得一批(batch)的特征图的均值为0,方差为1,从而提高神经网络的训练效率,加快模型的收敛,避免过拟合等问题。',
        en: 'Batch normalization normalizes the feature maps of a batch to mean 0 and variance 1, which makes the network train more efficiently, converge faster, and helps against overfitting.',
      },
      claim: 'With batch norm the network is ahead after epoch 1 at the same learning rate, and ends at least as high.',
      lookNext: [{ view: 'models', text: 'Open the sigmoid LeNet in Models with batch norm on: a BatchNorm layer before every sigmoid.' }],
    },
    { ...common, arch: 'lenet5', epochs: 2, batchSize: 64, learningRate: 0.1, optimizer: 'sgd', limit: 4000 },
    'knobs.batchNorm',
    [['without batch norm', false], ['with batch norm', true]],
  ),
  lesson(
    'resnet-shortcuts',
    {
      title: 'Residual shortcuts',
      concept:
        'Stacking more layers should never hurt: the extra ones could learn the identity. In practice a deep plain stack trains worse than a shallower one (degradation). A shortcut adds the block\u2019s input to its output, so a block only learns the change, and the identity is free.',
      quote: {
        section: 'ResNet',
        zh: '当网络层数增加时,就会出现退化问题(degradation problem),这不是由过拟合造成的,而是随着层数的加深,训练集的准确率会饱和,甚至可能下降。',
        en: 'As the number of layers grows, the degradation problem appears: not caused by overfitting, but the training accuracy saturates and may even fall as the network gets deeper.',
      },
      claim: 'The plain 34-layer stack reaches a clearly lower training accuracy than the same stack with shortcuts.',
      lookNext: [
        { view: 'models', text: 'Open ResNet-34 in Models and switch shortcuts off: the same layers, no additions.' },
        { view: 'inspect', text: 'Inspect the gradients of the first stage in both runs.' },
      ],
    },
    { ...common, arch: 'resnet34', epochs: 3, batchSize: 32, learningRate: 0.02, optimizer: 'momentum', limit: 1000, testLimit: 1000, inputSize: 32, knobs: { width: 0.125 } },
    'knobs.residual',
    [['plain stack', false], ['shortcuts', true]],
  ),
  lesson(
    'dropout',
    {
      title: 'Dropout',
      concept:
        'On a small training set a network learns the images by heart: training accuracy runs far ahead of test accuracy. Dropout switches off a random half of the dense units at every step, so no unit can rely on another, and the gap shrinks.',
      quote: {
        section: 'AlexNet',
        zh: 'Dropout是一种用于防止过拟合的技术,在训练时随机关闭一些神经元,以防止神经网络与训练数据过于匹配,导致泛化能力降低。在测试时,所有神经元将继续工作,以最大化预测准确性。',
        en: 'Dropout prevents overfitting: during training it switches off random neurons so that the network does not match the training data too closely and lose its ability to generalize. At test time all neurons work, to predict as well as possible.',
      },
      claim: 'The gap between training accuracy (measured without dropout) and test accuracy is smaller with dropout.',
      lookNext: [{ view: 'compare', text: 'Compare training and test accuracy per epoch: without dropout they part early.' }],
    },
    overfittingDropout,
    'knobs.dropout',
    [['without dropout', 0], ['dropout 0.5', 0.5]],
  ),
  lesson(
    'augmentation',
    {
      title: 'Data augmentation',
      concept:
        'Shifting and mirroring each training image at random shows the network a new variant every epoch, so it cannot memorize the pixels: like more data, it narrows the gap between training and test accuracy.',
      quote: {
        section: 'Q&A 8',
        zh: '数据增强:通过对原始数据进行变换、旋转、平移、缩放等操作,生成更多的训练样本。数据增强可以增加模型的鲁棒性和泛化能力。',
        en: 'Data augmentation: transforming, rotating, shifting and scaling the original data produces more training samples. It makes the model more robust and better at generalizing.',
      },
      claim: 'The gap between training accuracy (on the images as they are) and test accuracy is smaller with augmentation.',
      lookNext: [{ view: 'data', text: 'Open Fashion-MNIST in Data with crop and flip on: each preview shows an image and its augmented copy.' }],
    },
    overfitting,
    'augment',
    [['no augmentation', undefined], ['crop + flip', { cropPadding: 3, flip: true }]],
  ),
  lesson(
    'shuffle',
    {
      title: 'Shuffling',
      concept:
        'A folder of class subfolders is read class by class: all T-shirts, then all trousers, ... Trained in that fixed order, each stretch of batches pulls the network towards one class and the last class wins. Shuffling mixes the classes in every batch.',
      quote: {
        section: 'Q&A 1',
        zh: 'shuffle=True:每个epoch都会对数据进行随机打乱顺序。这意味着每次迭代时,数据的顺序都会被打乱,使得模型在训练过程中能够更好地学习数据的不同特征。',
        en: 'shuffle=True: the data is shuffled at random every epoch, so its order changes at every pass, which lets the model learn the data\u2019s different features better during training.',
      },
      claim: 'Shuffled learns; the class-sorted fixed order ends far lower.',
      lookNext: [{ view: 'compare', text: 'Compare the loss curves: the sorted run\u2019s loss jumps at every change of class.' }],
    },
    lenetRelu,
    'shuffle',
    [['sorted by class', 'class-sorted'], ['shuffled', true]],
  ),
  lesson(
    'normalization',
    {
      title: 'Input normalization',
      concept:
        'Pixels in [0, 1] are all positive with a mean near 0.29: every first-layer weight of a unit gets a gradient of the same sign, and the loss surface is stretched. Subtracting the data set\u2019s mean and dividing by its standard deviation centres the inputs, so the same optimizer makes faster progress.',
      quote: {
        section: 'Q&A 2',
        zh: '在PyTorch中,transforms.Normalize(mean, std)用于对数据进行标准化处理。这个函数会对输入的数据进行减均值除以标准差的操作,以使数据分布接近标准正态分布。',
        en: 'In PyTorch, transforms.Normalize(mean, std) standardizes the data: it subtracts the mean from the input and divides by the standard deviation, so that the data is close to a standard normal distribution.',
      },
      claim: 'Normalized inputs are ahead after epoch 1 and end at least as high.',
      lookNext: [{ view: 'data', text: 'Open Fashion-MNIST in Data: the mean and standard deviation used are shown there.' }],
    },
    // ReLU LeNet with plain SGD at a small rate: no optimizer that rescales steps per weight (as Adam would) hides the input's scale and offset.
    { ...common, arch: 'lenet-relu', epochs: 2, batchSize: 32, learningRate: 0.02, optimizer: 'sgd', lrSchedule: 'constant', limit: 3000 },
    'normalize',
    [['raw [0, 1]', 'none'], ['normalized', 'dataset']],
  ),
  lesson(
    'batch-size',
    {
      title: 'Epochs and batches',
      concept:
        'An epoch is one pass over the training images; a batch is how many images one step sees. A small batch takes many small noisy steps per epoch, a large one few smoother steps that each cost more. Per epoch the small batch is usually ahead; per second the picture changes.',
      quote: {
        section: 'Q&A 3',
        zh: 'Epoch 是指将整个训练数据集完整地过一遍的次数。……Batch 是指将训练数据集划分为小块进行训练的单位。将数据集分成多个batch的目的是为了减少内存的使用和加速训练过程。每个epoch包含多个batch。',
        en: 'An epoch is one complete pass over the whole training set. A batch is the small block of the training set one training step uses; splitting the data into batches saves memory and speeds training up. Every epoch contains many batches.',
      },
      claim: 'Both learn; the small batch takes many more steps per epoch. Curves per epoch and per image, and time per epoch, are shown side by side.',
      lookNext: [{ view: 'compare', text: 'Compare the runs with the x axis in epochs, then in images seen, then in seconds.' }],
    },
    { ...lenetRelu, epochs: 3 },
    'batchSize',
    [['batch 16', 16], ['batch 256', 256]],
  ),
  lesson(
    'one-by-one-conv',
    {
      title: '1x1 convolutions',
      concept:
        'A 1x1 convolution mixes channels at each pixel without looking at neighbours: a dense layer applied per pixel. GoogLeNet puts one before each 3x3 and 5x5 convolution to shrink the channels first, which cuts parameters and multiply-adds by a large factor at little cost in accuracy.',
      quote: {
        section: 'Q&A 4',
        zh: '调整网络层的通道数量和控制模型复杂性:它可以将输入特征图的通道数进行调整,通过调整通道数,可以控制模型的复杂度和参数量,同时也可以改变特征图的维度。',
        en: 'Adjusting the number of channels and controlling the model\u2019s complexity: it changes the number of channels of the input feature maps, and with it the model\u2019s complexity and number of parameters, and can change the feature maps\u2019 dimensions as well.',
      },
      claim: 'With the 1x1 reductions the network has several times fewer parameters and multiply-adds, at a comparable accuracy.',
      lookNext: [{ view: 'models', text: 'Open GoogLeNet in Models with and without the 1x1 reductions: compare each Inception block\u2019s parameters.' }],
    },
    // The CPU preset's size. With SGD + momentum the narrower network (with reductions) lagged far behind after 3
    // epochs (lr 0.02 on 1,000 images: 64.3% vs 52.8%; lr 0.05 on 1,500: 74.0% vs 58.0%, seed 1); Adam adapts
    // each parameter's step. After 4 epochs on 2,000 images (1,000 test images) seed 3 ended 5.1 points apart
    // (78.2% vs 73.1%); after 6 on 3,000 (2,000 test images) the two end within -1.2 to 3.8 points in 5/5 seeds.
    { ...common, arch: 'googlenet', epochs: 6, batchSize: 32, learningRate: 0.002, optimizer: 'adam', limit: 3000, testLimit: 2000, inputSize: 32, knobs: { width: 0.25, batchNorm: true } },
    'knobs.reductions',
    [['without 1x1 reductions', false], ['with 1x1 reductions', true]],
  ),
  {
    id: 'ensemble',
    title: 'Model ensembles',
    concept:
      'Three networks trained alike from different random starts make different mistakes. Averaging their predicted probabilities cancels part of those mistakes, so the ensemble is usually at least as accurate as its best member.',
    quote: {
      section: 'Q&A 8',
      zh: '模型融合:将多个不同模型的预测结果进行融合,可以通过投票、加权平均或堆叠等方式来提高准确率。模型融合可以充分利用不同模型的优势,提高整体性能。',
      en: 'Model fusion: combining the predictions of several models, by voting, weighted averaging or stacking, raises accuracy. It makes full use of each model\u2019s strengths and improves the overall performance.',
    },
    claim: 'The averaged probabilities\u2019 test accuracy is at least the best single model\u2019s.',
    ensemble: true,
    // Same config, three seeds: on a slice this small each member overfits its own way, so averaging helps.
    runs: [0, 1, 2].map((offset) => ({ label: `model ${offset + 1}`, config: { ...overfitting, seed: common.seed + offset } })),
    lookNext: [{ view: 'predict', text: 'Select the three models in Predict: the ensemble\u2019s accuracy on labelled drops is shown beside each model\u2019s.' }],
  },
]

/**
 * The runs of one attempt with `seed`: every run trains with that seed, so that only the lesson's field
 * differs; the ensemble's members with seed, seed + 1, seed + 2, so that they differ.
 */
export function lessonRunsForSeed(lesson: Lesson, seed: number): LessonRun[] {
  return lesson.runs.map((run, index) => ({ ...run, config: { ...run.config, seed: lesson.ensemble ? seed + index : seed } }))
}

export function getLesson(id: string): Lesson | undefined {
  return LESSONS.find((entry) => entry.id === id)
}
