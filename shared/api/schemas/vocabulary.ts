/** The names the API's schemas share: backends, data sets, architectures, export formats and run ids. */
import { z } from 'zod'
import { ARCHITECTURE_IDS } from '../../arch/specs'

/**
 * The backend ladder, best first; `webgpu` is tfjs's WebGPU backend on Dawn (npm `webgpu`) with our WGSL
 * kernels; `wasm-blas` is tfjs's wasm backend with our native BLAS kernels for convolutions and matrix products.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm-blas', 'wasm', 'cpu'] as const
export const BackendName = z.enum(BACKEND_NAMES)
export type BackendName = z.infer<typeof BackendName>
/** A rung, or `auto`: the first that loads and passes its self-test. */
export const BackendChoice = z.enum(['auto', ...BACKEND_NAMES])
export type BackendChoice = z.infer<typeof BackendChoice>

/** Data sets that come with the app (MNIST, Fashion-MNIST) or are downloaded on first use (CIFAR-10). */
export const DATASET_IDS = ['mnist', 'fashion-mnist', 'cifar10'] as const
export const BuiltinDatasetId = z.enum(DATASET_IDS)
export type BuiltinDatasetId = z.infer<typeof BuiltinDatasetId>
/** How the built-in data sets are named to users. */
export const DATASET_NAMES: Record<BuiltinDatasetId, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST', cifar10: 'CIFAR-10' }
/** `folder:<absolute path>`: the user's own images, one subfolder per class (optionally under train/ and test/). */
export const FOLDER_DATASET_PREFIX = 'folder:'
/** A POSIX or Windows absolute path (drive letter or UNC); a relative one would depend on the server's working folder. */
const isAbsolutePath = (path: string) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
export const DatasetId = z
  .string()
  .max(4096)
  .refine(
    (id) => (DATASET_IDS as readonly string[]).includes(id) || (id.startsWith(FOLDER_DATASET_PREFIX) && id.length > FOLDER_DATASET_PREFIX.length && !id.includes('\0')),
    { message: `dataset must be one of ${DATASET_IDS.join(', ')} or folder:<path>` },
  )
  .refine((id) => !id.startsWith(FOLDER_DATASET_PREFIX) || id.length === FOLDER_DATASET_PREFIX.length || isAbsolutePath(id.slice(FOLDER_DATASET_PREFIX.length)), {
    message: 'a folder data set needs an absolute path (folder:/home/me/pictures, not folder:pictures): a relative path would be looked up from wherever the server was started',
  })
export type DatasetId = z.infer<typeof DatasetId>

export const ArchitectureId = z.enum(ARCHITECTURE_IDS)

/**
 * What `export` writes: `tfjs` the TensorFlow.js layers format (loads in a web page, and in the workbench
 * again through import), `onnx` model.onnx for ONNX Runtime and Netron, `pytorch` the notes' PyTorch code
 * with the weights as numpy arrays.
 */
export const EXPORT_FORMATS = ['tfjs', 'onnx', 'pytorch'] as const
export const ExportFormat = z.enum(EXPORT_FORMATS)
export type ExportFormat = z.infer<typeof ExportFormat>

const runIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/
/** Run ids become folder names, so only a narrow alphabet is accepted (no path traversal). */
export const RunId = z.string().regex(runIdPattern, 'run id must be lowercase letters, digits and dashes')
