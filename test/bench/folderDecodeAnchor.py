"""torchvision's folder loader on a folder of class subfolders, for `npm run bench`'s folder lines: ImageFolder
with Grayscale, Resize((size, size)) and ToTensor, through a DataLoader with `workers` worker processes, every
image once, timed from the folder's path (the scan included) to the last batch. Prints one JSON line.

    folderDecodeAnchor.py <folder> <size> <workers>"""
import json
import sys
import time

import torch
import torchvision
from torchvision import datasets, transforms


def main():
    root, size, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start = time.perf_counter()
    folder = datasets.ImageFolder(root, transform=transforms.Compose([
        transforms.Grayscale(), transforms.Resize((size, size)), transforms.ToTensor()]))
    loader = torch.utils.data.DataLoader(folder, batch_size=256, shuffle=False, num_workers=workers)
    images = 0
    for x, _ in loader:
        images += x.shape[0]
    seconds = time.perf_counter() - start
    print(json.dumps({'images': images, 'seconds': seconds, 'version': torchvision.__version__}))


if __name__ == '__main__':
    main()
