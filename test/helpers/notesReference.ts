import type { ArchitectureId } from '../../shared/arch/specs'

/**
 * Trainable parameters and output shape of the notes' PyTorch code at its own input sizes, computed with
 * PyTorch 1.13 (Debian python3-torch) by pasting the notes' code into a script: sum(p.numel() for p in
 * net.parameters() if p.requires_grad) and net(torch.rand(1, 1, n, n)).shape. The notes have no code for
 * bn-lenet (their LeNet with BatchNorm2d/1d before each sigmoid), ResNet-34 (their resnet_block with
 * 3, 4, 6, 3 blocks) or ResNet-50 (bottleneck blocks written in the style of their Residual class:
 * biased convolutions, BN in the body, a 1x1 projection without BN); those were written the same way.
 */
export const PYTORCH_REFERENCE: Record<ArchitectureId, { inputSize: number; params: number; output: number }> = {
  lenet5: { inputSize: 28, params: 61_706, output: 10 },
  'lenet-relu': { inputSize: 28, params: 61_706, output: 10 },
  'bn-lenet': { inputSize: 28, params: 62_158, output: 10 },
  alexnet: { inputSize: 224, params: 50_820_776, output: 1000 },
  vgg11: { inputSize: 224, params: 128_806_154, output: 10 },
  vgg13: { inputSize: 224, params: 128_990_666, output: 10 },
  vgg16: { inputSize: 224, params: 134_300_362, output: 10 },
  vgg19: { inputSize: 224, params: 139_610_058, output: 10 },
  googlenet: { inputSize: 96, params: 5_977_530, output: 10 },
  resnet18: { inputSize: 96, params: 11_178_378, output: 10 },
  resnet34: { inputSize: 96, params: 21_290_250, output: 10 },
  resnet50: { inputSize: 96, params: 23_541_130, output: 10 },
}
