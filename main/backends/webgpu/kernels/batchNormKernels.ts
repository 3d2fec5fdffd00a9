/**
 * Training-mode batch normalization over every axis but the last (channels), as WGSL programs: the webgpu
 * implementations of the same two kernels the wasm-blas rung registers (../../native/batchNormKernels.ts),
 * so the layer and the gradient are shared and only the backend's kernels differ.
 *   forward   one pass over x: per-channel (count, mean, M2) by Welford per thread, merged (Chan et al.)
 *             across the workgroup and, in a tiny second pass, across row splits -> mean, biased variance;
 *             then y = (x - mean) * gamma / sqrt(variance + eps) + beta, elementwise.
 *   backward  one pass over dy and x: per-channel sums of dy and dy * (x - mean) -> dbeta, dgamma;
 *             then dx = gamma * invStd / R * (R * dy - dbeta - xhat * dgamma), elementwise.
 * x is read as rows [R][C]; a workgroup covers a block of channel lanes times row lanes over one split of
 * the rows, so reads along a row are contiguous and a long reduction (R = batch x height x width) fills the
 * GPU with splits instead of looping in one workgroup. No atomics: splits write partials, reduced in order.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { TensorInfo } from '@tensorflow/tfjs-core'
import { BATCH_NORM_TRAIN } from '../../common/batchNormKernel'
import { ElementwiseProgram, f32Literal } from './elementwiseProgram'
import type { WebGpuBackendLike, WebGpuProgramLike } from './gemmProgram'

const THREADS = 256

/** Tunable for tests (to reach the split path on small shapes) and the profile script. */
export const batchNormTuning = {
  /** Workgroups that fill a large GPU (as gemmTuning). */
  targetWorkgroups: 528,
  /** Fewest rows a thread reduces before the rows are split further. */
  minRowsPerThread: 16,
  /** Forces the number of row splits (tests). */
  forceSplits: null as number | null,
}

export interface ChannelReduction {
  rows: number
  channels: number
  /** Channel lanes per workgroup (a power of two up to 64) and row lanes (THREADS / channelLanes). */
  channelLanes: number
  rowLanes: number
  splits: number
  rowsPerSplit: number
}

export function planChannelReduction(rows: number, channels: number): ChannelReduction {
  let channelLanes = 1
  while (channelLanes < Math.min(channels, 64)) channelLanes *= 2
  const rowLanes = THREADS / channelLanes
  const channelBlocks = Math.ceil(channels / channelLanes)
  let splits = Math.min(Math.ceil(batchNormTuning.targetWorkgroups / channelBlocks), Math.ceil(rows / (rowLanes * batchNormTuning.minRowsPerThread)))
  if (batchNormTuning.forceSplits) splits = batchNormTuning.forceSplits
  splits = Math.max(1, Math.min(splits, rows, 65535))
  const rowsPerSplit = Math.ceil(rows / splits)
  return { rows, channels, channelLanes, rowLanes, splits: Math.ceil(rows / rowsPerSplit), rowsPerSplit }
}

function planKey(p: ChannelReduction): string {
  return `${p.rows}x${p.channels}_l${p.channelLanes}s${p.splits}`
}

/**
 * First pass: per split and channel, two numbers into partial[split][2][C]. 'moments' reads x and writes
 * (mean, M2) of its rows; 'gradSums' reads dy, x, mean and writes (sum dy, sum dy * (x - mean)).
 * `fault` leaves out every 8th row (a deliberately wrong kernel for the tests and the self-test; not just
 * the last row, whose dy is often zero behind a max pool).
 */
class ChannelReduceProgram implements WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout = { x: [0], y: [1], z: [2] }
  dispatch: [number, number, number]
  variableNames: string[]
  workgroupSize: [number, number, number] = [THREADS, 1, 1]

  constructor(
    private readonly mode: 'moments' | 'gradSums',
    private readonly plan: ChannelReduction,
    private readonly fault: boolean,
  ) {
    this.variableNames = mode === 'moments' ? ['x'] : ['dy', 'x', 'mean']
    this.outputShape = [plan.splits * 2 * plan.channels]
    this.dispatch = [Math.ceil(plan.channels / plan.channelLanes), plan.splits, 1]
    this.shaderKey = `wbChannelReduce_${mode}_${planKey(plan)}${fault ? '_FAULT' : ''}`
  }

  getUserCode(): string {
    const { rows: R, channels: C, channelLanes: CW, rowLanes: RL, rowsPerSplit } = this.plan
    const moments = this.mode === 'moments'
    const accumulate = moments
      ? `let v = x[r * ${C} + c];
          count = count + 1.0;
          let delta = v - sumA;
          sumA = sumA + delta / count;
          sumB = sumB + delta * (v - sumA);`
      : `let g = dy[r * ${C} + c];
          sumA = sumA + g;
          sumB = sumB + g * (x[r * ${C} + c] - mean[c]);`
    const merge = moments
      ? `fn merge(a : i32, b : i32) {
        let nb = lanesCount[b];
        if (nb == 0.0) { return; }
        let na = lanesCount[a];
        let total = na + nb;
        let delta = lanesFirst[b] - lanesFirst[a];
        lanesFirst[a] = lanesFirst[a] + delta * (nb / total);
        lanesSecond[a] = lanesSecond[a] + lanesSecond[b] + delta * delta * (na * nb / total);
        lanesCount[a] = total;
      }`
      : `fn merge(a : i32, b : i32) {
        lanesFirst[a] = lanesFirst[a] + lanesFirst[b];
        lanesSecond[a] = lanesSecond[a] + lanesSecond[b];
      }`
    const tree: string[] = []
    for (let stride = RL / 2; stride >= 1; stride /= 2) {
      tree.push(`if (rowLane < ${stride}) { merge(tid, tid + ${stride * CW}); }
        workgroupBarrier();`)
    }
    return `
      var<workgroup> lanesCount : array<f32, ${THREADS}>;
      var<workgroup> lanesFirst : array<f32, ${THREADS}>;
      var<workgroup> lanesSecond : array<f32, ${THREADS}>;
      ${merge}

      fn main() {
        _ = uniforms.NAN;
        let tid = i32(localIndex);
        let lane = tid % ${CW};
        let rowLane = tid / ${CW};
        let c = i32(workgroupId.x) * ${CW} + lane;
        let split = i32(workgroupId.y);
        let rowBegin = split * ${rowsPerSplit};
        let rowEnd = min(rowBegin + ${rowsPerSplit}, ${R});
        var count = 0.0;
        var sumA = 0.0;
        var sumB = 0.0;
        if (c < ${C}) {
          for (var r = rowBegin + rowLane; r < rowEnd; r = r + ${RL}) {
            ${this.fault ? 'if (r % 8 == 7) { continue; }' : ''}
            ${accumulate}
          }
        }
        lanesCount[tid] = count;
        lanesFirst[tid] = sumA;
        lanesSecond[tid] = sumB;
        workgroupBarrier();
        ${tree.join('\n        ')}
        if (rowLane == 0 && c < ${C}) {
          result[split * ${2 * C} + c] = lanesFirst[tid];
          result[split * ${2 * C} + ${C} + c] = lanesSecond[tid];
        }
      }
    `
  }
}

/** Second pass, one thread per channel, over the splits in order: 'mean', 'variance', 'sum' (first number) or 'scaledSum' (second number * invStd). */
function finalize(backend: WebGpuBackendLike, partial: TensorInfo, plan: ChannelReduction, what: 'mean' | 'variance' | 'sum' | 'scaledSum', variance: TensorInfo | null, epsilon: number): TensorInfo {
  const { rows: R, channels: C, splits, rowsPerSplit } = plan
  const body =
    what === 'mean' || what === 'variance'
      ? `var count = 0.0;
        var runMean = 0.0;
        var runM2 = 0.0;
        for (var s = 0; s < ${splits}; s = s + 1) {
          let nb = f32(min(${rowsPerSplit}, ${R} - s * ${rowsPerSplit}));
          let total = count + nb;
          let delta = partial[s * ${2 * C} + index] - runMean;
          runMean = runMean + delta * (nb / total);
          runM2 = runM2 + partial[s * ${2 * C} + ${C} + index] + delta * delta * (count * nb / total);
          count = total;
        }
        result[index] = ${what === 'mean' ? 'runMean' : 'runM2 / count'};`
      : `var sum = 0.0;
        for (var s = 0; s < ${splits}; s = s + 1) { sum = sum + partial[s * ${2 * C} + ${what === 'sum' ? '' : `${C} + `}index]; }
        result[index] = ${what === 'sum' ? 'sum' : `sum / sqrt(variance[index] + ${f32Literal(epsilon)})`};`
  const names = what === 'scaledSum' ? ['partial', 'variance'] : ['partial']
  const key = `bnFinalize_${what}_${planKey(plan)}_${rowsPerSplit}${what === 'scaledSum' ? `_e${epsilon}` : ''}`
  return backend.runWebGPUProgram(new ElementwiseProgram(key, names, [C], C, body), what === 'scaledSum' ? [partial, variance!] : [partial], 'float32')
}

export interface BatchNormShape {
  rows: number
  channels: number
}

/** Rows and channels of channels-last x, or null where ours does not cover it (the caller composes it from tfjs ops). */
export function batchNormShape(x: TensorInfo): BatchNormShape | null {
  if (x.dtype !== 'float32' || x.shape.length < 2) return null
  const channels = x.shape[x.shape.length - 1]
  const rows = x.shape.reduce((a, b) => a * b, 1) / Math.max(channels, 1)
  return rows > 0 && channels > 0 ? { rows, channels } : null
}

function channelVector(channels: number): { groups: number; vec4: boolean; F: string } {
  const vec4 = channels % 4 === 0
  return { groups: vec4 ? channels / 4 : channels, vec4, F: vec4 ? 'vec4<f32>' : 'f32' }
}

/** [y, mean, variance] (biased variance, as tfjs's moments). */
export function batchNormTrainForward(backend: WebGpuBackendLike, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo, epsilon: number, fault: boolean): TensorInfo[] {
  const { rows, channels } = batchNormShape(x)!
  const plan = planChannelReduction(rows, channels)
  const partial = backend.runWebGPUProgram(new ChannelReduceProgram('moments', plan, fault), [x], 'float32')
  const mean = finalize(backend, partial, plan, 'mean', null, epsilon)
  const variance = finalize(backend, partial, plan, 'variance', null, epsilon)
  backend.disposeData(partial.dataId)
  const { groups, vec4, F } = channelVector(channels)
  const body = `
        let ch = index % ${groups};
        result[index] = (x[index] - mean[ch]) * gamma[ch] / sqrt(variance[ch] + ${F}(${f32Literal(epsilon)})) + beta[ch];`
  const names = ['x', 'mean', 'variance', 'gamma', 'beta']
  const key = `bnNormalize_${rows}x${channels}_e${epsilon}`
  const y = backend.runWebGPUProgram(new ElementwiseProgram(key, names, [...x.shape], rows * groups, body, '', vec4 ? names : [], vec4), [x, mean, variance, gamma, beta], 'float32')
  return [y, mean, variance]
}

/** [dx, dgamma, dbeta] for dy = d loss / d y of the forward above. */
export function batchNormTrainBackward(
  backend: WebGpuBackendLike, dy: TensorInfo, x: TensorInfo, gamma: TensorInfo, mean: TensorInfo, variance: TensorInfo, epsilon: number, fault: boolean,
): TensorInfo[] {
  const { rows, channels } = batchNormShape(x)!
  const plan = planChannelReduction(rows, channels)
  const partial = backend.runWebGPUProgram(new ChannelReduceProgram('gradSums', plan, fault), [dy, x, mean], 'float32')
  const dbeta = finalize(backend, partial, plan, 'sum', null, epsilon)
  const dgamma = finalize(backend, partial, plan, 'scaledSum', variance, epsilon)
  backend.disposeData(partial.dataId)
  const { groups, vec4, F } = channelVector(channels)
  const body = `
        let ch = index % ${groups};
        let invStd = ${F}(1.0) / sqrt(variance[ch] + ${F}(${f32Literal(epsilon)}));
        let xhat = (x[index] - mean[ch]) * invStd;
        result[index] = gamma[ch] * invStd * (dy[index] - (dbeta[ch] + xhat * dgamma[ch]) * ${F}(${f32Literal(1 / rows)}));`
  const names = ['dy', 'x', 'gamma', 'mean', 'variance', 'dgamma', 'dbeta']
  const key = `bnDx_${rows}x${channels}_e${epsilon}`
  const dx = backend.runWebGPUProgram(new ElementwiseProgram(key, names, [...x.shape], rows * groups, body, '', vec4 ? names : [], vec4), [dy, x, gamma, mean, variance, dgamma, dbeta], 'float32')
  return [dx, dgamma, dbeta]
}

/**
 * [y, mean, variance] of training-mode batch norm on our webgpu kernels; null where they do not serve the
 * current backend or x (the caller then composes it from tfjs ops, as before).
 */
export function webGpuBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (tf.getBackend() !== 'webgpu' || !tf.getKernel(BATCH_NORM_TRAIN, 'webgpu') || !batchNormShape(x)) return null
  return tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon }) as [tf.Tensor, tf.Tensor, tf.Tensor]
}
