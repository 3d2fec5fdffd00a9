"""PyTorch anchor for `npm run bench`: the same networks, batch sizes and inputs as ours, trained on
random data, timed the same way (warm-up, then N steps). Prints one JSON object on stdout, with the
process's peak resident memory (runBench.ts starts one process per network, so it is that network's).

    pytorchAnchor.py lenet5 lenet-relu resnet18 [--inference-only]
    pytorchAnchor.py alexnet --code net.py --shape 1,96,96 --batch 128 --steps 10
The second form builds `net` from the code the workbench writes for the network (shared/exchange/pytorchCode.ts,
the course notes' style), for the networks this file has no definition of its own."""
import json
import os
import re
import resource
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F


def lenet(activation, pool):
    # The course notes' LeNet, layer for layer.
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), activation(), pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), activation(), pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), activation(),
        nn.Linear(120, 84), activation(),
        nn.Linear(84, 10))


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


def resnet18(in_channels):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(64, 128, 2))
    b4 = nn.Sequential(*resnet_block(128, 256, 2))
    b5 = nn.Sequential(*resnet_block(256, 512, 2))
    return nn.Sequential(b1, b2, b3, b4, b5, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10))


def blas_library():
    torch.mm(torch.randn(64, 64), torch.randn(64, 64))
    try:
        with open('/proc/self/maps') as maps:
            libs = sorted({m.group(0) for m in re.finditer(r'lib(openblas|blas|mkl|blis)[\w.\-]*\.so[\w.]*', maps.read())})
        return ', '.join(libs) or 'unknown'
    except OSError:
        return 'unknown'


TRAIN_WARMUP_EPOCHS = 2


def train_throughput(model, shape, batch, steps, lr):
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    # As oursThroughput.ts: two epochs' worth of steps before the timed ones.
    for _ in range(TRAIN_WARMUP_EPOCHS * steps):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return batch * steps / (time.perf_counter() - start)


# Inference is timed over at least this many batches after this many warm-up ones, here and in
# oursThroughput.ts alike: ResNet-18's 4 training batches were too few to time a 20 ms forward pass.
INFERENCE_WARMUP = 3
INFERENCE_MIN_BATCHES = 16


def inference_throughput(model, shape, batch, steps):
    x = torch.randn(batch, *shape)
    model.eval()
    with torch.no_grad():
        for _ in range(INFERENCE_WARMUP):
            model(x)
        start = time.perf_counter()
        for _ in range(steps):
            model(x)
    return batch * steps / (time.perf_counter() - start)


def option(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def from_code(path):
    with open(path) as file:
        code = file.read()

    def build():
        namespace = {}
        exec(compile(code, path, 'exec'), namespace)
        return namespace['net']
    return build


def main():
    inference_only = '--inference-only' in sys.argv
    values = {option(flag) for flag in ('--code', '--shape', '--batch', '--steps')}
    which = [a for a in sys.argv[1:] if not a.startswith('--') and a not in values] or ['lenet5', 'lenet-relu', 'resnet18']
    torch.manual_seed(0)
    results = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_library(),
               'ompNumThreads': os.environ.get('OMP_NUM_THREADS'), 'train': {}, 'inference': {}}
    models = {
        'lenet5': (lambda: lenet(nn.Sigmoid, nn.AvgPool2d), (1, 28, 28), 256, 30),
        'lenet-relu': (lambda: lenet(nn.ReLU, nn.MaxPool2d), (1, 28, 28), 256, 30),
        'resnet18': (lambda: resnet18(3), (3, 32, 32), 64, 8),
    }
    if option('--code'):
        shape = tuple(int(n) for n in option('--shape').split(','))
        models[which[0]] = (from_code(option('--code')), shape, int(option('--batch')), int(option('--steps')))
    elif option('--steps'):
        # The bench's own count (benchCases.ts), so both sides time the same number of steps.
        build, shape, batch, _ = models[which[0]]
        models[which[0]] = (build, shape, batch, int(option('--steps')))
    for name in which:
        build, shape, batch, steps = models[name]
        if not inference_only:
            results['train'][name] = train_throughput(build(), shape, batch, steps, 0.05)
        results['inference'][name] = inference_throughput(build(), shape, batch, max(steps, INFERENCE_MIN_BATCHES))
    # ru_maxrss is in KiB on Linux: the process's VmHWM.
    results['peakRssMiB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(results))


if __name__ == '__main__':
    main()
