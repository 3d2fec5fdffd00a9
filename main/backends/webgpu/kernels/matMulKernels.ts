/**
 * BatchMatMul and _FusedMatMul on the tiled GEMM: transposes are handled in the loaders (and the tile
 * load order follows the contiguous index), one operand may broadcast over the batch.
 */
import { broadcast_util, util, type TensorInfo } from '@tensorflow/tfjs-core'
import { runGemm, type GemmSpec, type WebGpuBackendLike } from './gemmProgram'
import type { Epilogue } from './epilogue'

export interface MatMulArgs {
  a: TensorInfo
  b: TensorInfo
  transposeA: boolean
  transposeB: boolean
  bias: TensorInfo | null
  epilogue: Epilogue
  fault: boolean
}

/** The GEMM for a (batched) matmul, or null when tfjs's kernel has to run it (dtype, broadcast pattern, bias shape). */
export function matMulSpec({ a, b, transposeA, transposeB, bias, epilogue, fault }: MatMulArgs): GemmSpec | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null
  const aRank = a.shape.length
  const bRank = b.shape.length
  if (aRank < 2 || bRank < 2) return null
  const M = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2]
  const K = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1]
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2]
  const N = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1]
  if (K !== kB) return null // tfjs's kernel raises its own message
  const batchA = util.sizeFromShape(a.shape.slice(0, -2))
  const batchB = util.sizeFromShape(b.shape.slice(0, -2))
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
  const batch = Math.max(batchA, batchB)
  if (bias && (util.sizeFromShape(bias.shape) !== N || bias.shape[bias.shape.length - 1] !== N)) return null
  if (M === 0 || N === 0 || K === 0) return null
  const aBatch = batchA === 1 ? '0' : `batch * ${M * K}`
  const bBatch = batchB === 1 ? '0' : `batch * ${K * N}`
  const indexFns = `
    fn indexA(batch : i32, m : i32, k : i32) -> i32 {
      return ${aBatch} + ${transposeA ? `k * ${M} + m` : `m * ${K} + k`};
    }
    fn indexB(batch : i32, k : i32, n : i32) -> i32 {
      return ${bBatch} + ${transposeB ? `n * ${K} + k` : `k * ${N} + n`};
    }
  `
  return {
    key: `matmul_${batchA}_${batchB}_${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`,
    M,
    N,
    K,
    batch,
    indexFns,
    aName: 'aData',
    bName: 'bData',
    aVec4: (transposeA ? M : K) % 4 === 0,
    bVec4: (transposeB ? K : N) % 4 === 0,
    aContiguous: transposeA ? 'm' : 'k',
    bContiguous: transposeB ? 'k' : 'n',
    inputNames: bias ? ['aData', 'bData', 'biasData'] : ['aData', 'bData'],
    outputShape: [...outer, M, N],
    epilogue,
    fault,
  }
}

export function runMatMul(backend: WebGpuBackendLike, spec: GemmSpec, a: TensorInfo, b: TensorInfo, bias: TensorInfo | null): TensorInfo | null {
  return runGemm(backend, spec, bias ? [a, b, bias] : [a, b])
}
