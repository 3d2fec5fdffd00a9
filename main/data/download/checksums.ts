/**
 * Every file the app downloads, with its size and checksums. A file is used only after its bytes match;
 * upstream publishes MD5 only for Fashion-MNIST, so those are checked by MD5 (it detects corruption and
 * truncation, which is what a download check is for here).
 */
export interface DownloadSpec {
  url: string
  /** Name in the cache folder. */
  file: string
  bytes?: number
  sha256?: string
  md5?: string
}

export const CIFAR10_ARCHIVE: DownloadSpec = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  file: 'cifar-10-binary.tar.gz',
  bytes: 170_052_171,
  sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
  md5: 'c32a1d4ab5d03f1284b67883e8d87530',
}

const FASHION_BASE = 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/'
export const FASHION_MNIST_FILES: DownloadSpec[] = [
  { url: `${FASHION_BASE}train-images-idx3-ubyte.gz`, file: 'train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
  { url: `${FASHION_BASE}train-labels-idx1-ubyte.gz`, file: 'train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe' },
  { url: `${FASHION_BASE}t10k-images-idx3-ubyte.gz`, file: 't10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79' },
  { url: `${FASHION_BASE}t10k-labels-idx1-ubyte.gz`, file: 't10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
]
