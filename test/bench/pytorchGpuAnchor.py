"""PyTorch CUDA anchor for `npm run bench:gpu`: the networks of pytorchAnchor.py (and the notes' AlexNet),
fp32 (TF32 off), momentum SGD on random data, on the same GPU as ours. Argument: a JSON list of cases
{"key", "arch", "shape": [C, H, W], "batch", "steps"}. Prints one JSON object on stdout; without CUDA,
{"error": "..."}."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from torch import nn  # noqa: E402
from pytorchAnchor import lenet, resnet18  # noqa: E402


def alexnet(in_channels):
    # The notes' (d2l's) AlexNet for 224x224 input.
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))


BUILD = {
    'lenet5': lambda c: lenet(nn.Sigmoid, nn.AvgPool2d),
    'lenet-relu': lambda c: lenet(nn.ReLU, nn.MaxPool2d),
    'resnet18': resnet18,
    'alexnet': alexnet,
}


def timed(fn, steps):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    if not torch.cuda.is_available():
        print(json.dumps({'error': f'PyTorch {torch.__version__} has no CUDA device'}))
        return
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    dev = 'cuda'
    cases = json.loads(sys.argv[1])
    out = {'torch': torch.__version__, 'device': torch.cuda.get_device_name(0), 'train': {}, 'inference': {}}
    for case in cases:
        c, h, w = case['shape']
        batch, steps = case['batch'], case['steps']
        torch.manual_seed(0)
        model = BUILD[case['arch']](c).to(dev)
        x = torch.randn(batch, c, h, w, device=dev)
        y = torch.randint(0, 10, (batch,), device=dev)
        model(x)  # materializes lazy layers
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

        model.train()
        out['train'][case['key']] = batch * steps / timed(step, steps)
        model.eval()
        with torch.no_grad():
            out['inference'][case['key']] = batch * steps / timed(lambda: model(x), steps)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
