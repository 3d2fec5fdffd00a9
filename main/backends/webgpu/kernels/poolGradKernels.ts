/**
 * NHWC 2-D max and average pooling gradients, gathered per input element (no atomics, no scatter): each
 * thread owns one input element (or 4 channels as a vec4) and sums dy over the output windows covering it,
 *   covering rows  oh in [ceil((ih + padTop - FH + 1) / SH), floor((ih + padTop) / SH)] within [0, OH),
 * in ascending (oh, ow) order as tfjs-backend-cpu does. Max pooling recomputes the argmax of each covering
 * window whose maximum the element reaches (the first strictly greatest, row-major, starting from -infinity:
 * tfjs cpu's maxPoolPositions, so ties and all -inf/NaN windows resolve the same) instead of storing a
 * positions tensor as tfjs-webgpu does (one dispatch, no int32 intermediate); average pooling multiplies by 1 / (FH * FW), padding included,
 * as tfjs's AvgPoolGrad does on every backend.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core'
import { ElementwiseProgram, f32Literal } from './elementwiseProgram'
import type { WebGpuBackendLike } from './gemmProgram'

type PoolInfo = backend_util.Conv2DInfo

/** Whether ours covers this pooling (2-D pooling gradients are never dilated in tfjs; channels-last float32). */
export function poolGradSupported(c: PoolInfo, inputs: TensorInfo[]): boolean {
  return c.dataFormat === 'channelsLast' && c.dilationHeight === 1 && c.dilationWidth === 1 && inputs.every((t) => t.dtype === 'float32') && c.batchSize * c.inHeight * c.inWidth * c.inChannels > 0
}

function geometryKey(c: PoolInfo): string {
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left].join('_')
}

/**
 * WGSL that decodes `index` into (n, ih, iw, channel group cg), computes the covering output range
 * [oh0, oh1] x [ow0, ow1], and loops over it running `perWindow` with `oh`, `ow` and `dyIndex` in scope.
 * `fault` drops the last covering column of windows (a deliberately wrong kernel for the tests).
 */
function gatherOverWindows(c: PoolInfo, groups: number, perWindow: string, fault: boolean): string {
  const { inHeight: IH, inWidth: IW, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = c
  const PT = c.padInfo.top
  const PL = c.padInfo.left
  return `
        let cg = index % ${groups};
        let site = index / ${groups};
        let iw = site % ${IW};
        let imageRow = site / ${IW};
        let ih = imageRow % ${IH};
        let n = imageRow / ${IH};
        let rowLow = ih + ${PT - FH + 1};
        let colLow = iw + ${PL - FW + 1};
        let oh0 = select(0, (rowLow + ${SH - 1}) / ${SH}, rowLow > 0);
        let ow0 = select(0, (colLow + ${SW - 1}) / ${SW}, colLow > 0);
        let oh1 = min(${OH - 1}, (ih + ${PT}) / ${SH});
        let ow1 = min(${OW - 1}, (iw + ${PL}) / ${SW})${fault ? ' - 1' : ''};
        for (var oh = oh0; oh <= oh1; oh = oh + 1) {
          for (var ow = ow0; ow <= ow1; ow = ow + 1) {
            let dyIndex = ((n * ${OH} + oh) * ${OW} + ow) * ${groups} + cg;
            ${perWindow}
          }
        }`
}

/** Channels are read 4 at a time where they come in fours. */
function vectorWidth(c: PoolInfo): 1 | 4 {
  return c.inChannels % 4 === 0 ? 4 : 1
}

export function maxPoolGrad(backend: WebGpuBackendLike, dy: TensorInfo, x: TensorInfo, y: TensorInfo, c: PoolInfo, fault: boolean): TensorInfo {
  const v = vectorWidth(c)
  const groups = c.inChannels / v
  const F = v === 4 ? 'vec4<f32>' : 'f32'
  const I = v === 4 ? 'vec4<i32>' : 'i32'
  const { inHeight: IH, inWidth: IW, filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = c
  // Most input elements are below their windows' maximum (y, the forward's output): those skip the window
  // scan. The rest (equal to it, or any comparison with NaN) rescan it to find which tie wins, and so does
  // every window whose y is at or below -1e20: tfjs-webgpu's MaxPool starts from -1e20, not -infinity, so
  // there y is not the window's maximum.
  const perWindow = `
            let peak = y[dyIndex];
            if (any(!(mine < peak) | (peak <= ${F}(-1e20)))) {
              let r0 = oh * ${SH} - ${c.padInfo.top};
              let c0 = ow * ${SW} - ${c.padInfo.left};
              var best = ${F}(0.0);
              var pos = ${I}(-1);
              for (var wr = 0; wr < ${FH}; wr = wr + 1) {
                let r = r0 + wr;
                if (r < 0 || r >= ${IH}) { continue; }
                for (var wc = 0; wc < ${FW}; wc = wc + 1) {
                  let col = c0 + wc;
                  if (col < 0 || col >= ${IW}) { continue; }
                  let value = x[((n * ${IH} + r) * ${IW} + col) * ${groups} + cg];
                  // The first value above -infinity starts the window's maximum; NaN never takes it.
                  let take = (value > best) | ((pos < ${I}(0)) & (value >= ${F}(-0x1.fffffep+127f)));
                  best = select(best, value, take);
                  pos = select(pos, ${I}(wr * ${FW} + wc), take);
                }
              }
              let here = ${I}((ih - r0) * ${FW} + (iw - c0));
              grad = grad + select(${F}(0.0), dy[dyIndex], pos == here);
            }`
  const body = `
        let mine = x[index];
        var grad = ${F}(0.0);
        ${gatherOverWindows(c, groups, perWindow, fault)}
        result[index] = grad;`
  const threads = c.batchSize * IH * IW * groups
  const key = `maxPoolGrad_${geometryKey(c)}_v${v}${fault ? '_FAULT' : ''}`
  const names = ['dy', 'x', 'y']
  return backend.runWebGPUProgram(new ElementwiseProgram(key, names, [...c.inShape], threads, body, '', v === 4 ? names : [], v === 4), [dy, x, y], 'float32')
}

export function avgPoolGrad(backend: WebGpuBackendLike, dy: TensorInfo, c: PoolInfo, fault: boolean): TensorInfo {
  const v = vectorWidth(c)
  const groups = c.inChannels / v
  const F = v === 4 ? 'vec4<f32>' : 'f32'
  const body = `
        var grad = ${F}(0.0);
        ${gatherOverWindows(c, groups, 'grad = grad + dy[dyIndex];', fault)}
        result[index] = grad * ${f32Literal(1 / (c.filterHeight * c.filterWidth))};`
  const threads = c.batchSize * c.inHeight * c.inWidth * groups
  const key = `avgPoolGrad_${geometryKey(c)}_v${v}${fault ? '_FAULT' : ''}`
  return backend.runWebGPUProgram(new ElementwiseProgram(key, ['dy'], [...c.inShape], threads, body, '', v === 4 ? ['dy'] : [], v === 4), [dy], 'float32')
}
