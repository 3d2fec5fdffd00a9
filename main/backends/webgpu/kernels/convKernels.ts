/**
 * NHWC fp32 convolution forward, input gradient and filter gradient as implicit GEMMs (gemmProgram):
 *   forward       C[n*oh*ow][co]   = sum_(kh,kw,ci)  x[n, oh*s-p+kh*d, ow*s-p+kw*d, ci] * W[kh,kw,ci][co]
 *   input grad    C[n*ih*iw][ci]   = sum_(kh,kw,co)  dy[n, (ih+p-kh)/s, (iw+p-kw)/s, co] * W[kh,kw,ci,co]
 *   filter grad   C[kh*kw*ci][co]  = sum_(n,oh,ow)   x[n, oh*s-p+kh, ow*s-p+kw, ci] * dy[n,oh,ow][co]
 * Batch is folded into M (forward, input grad) or K (filter grad, split into chunks), so one dispatch
 * covers the whole batch. Shapes are baked into the shader as constants (one pipeline per layer shape,
 * which training reuses every step) so index arithmetic is multiply-shift, not uniform loads.
 */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core'
import { runGemm, type GemmSpec, type WebGpuBackendLike } from './gemmProgram'
import { NO_EPILOGUE, type Epilogue } from './epilogue'

type ConvInfo = backend_util.Conv2DInfo

function geometryKey(c: ConvInfo): string {
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels, c.filterHeight, c.filterWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left, c.dilationHeight, c.dilationWidth].join('_')
}

/** Whether our kernels cover this convolution (else tfjs's kernel runs it). */
export function convSupported(c: ConvInfo, inputs: TensorInfo[]): boolean {
  return c.dataFormat === 'channelsLast' && inputs.every((t) => t.dtype === 'float32')
}

/**
 * WGSL statements returning the input element (NHWC) that output pixel `pixel` (an index over batch x
 * outHeight x outWidth) reads through filter tap `tap` (over filterHeight x filterWidth x inChannels), or -1
 * where the tap falls in the padding: the im2col matrix, computed while loading and never stored. The
 * forward pass reads it as A[pixel][tap], the filter gradient as A[tap][pixel].
 */
function im2colIndex(c: ConvInfo, pixel: string, tap: string): string {
  const { outHeight: OH, outWidth: OW, inHeight: IH, inWidth: IW, inChannels: CI, filterWidth: KW } = c
  return `
      let img = ${pixel} / ${OH * OW};
      let p = ${pixel} % ${OH * OW};
      let oh = p / ${OW};
      let ow = p % ${OW};
      let kh = ${tap} / ${KW * CI};
      let q = ${tap} % ${KW * CI};
      let kw = q / ${CI};
      let ci = q % ${CI};
      let ih = oh * ${c.strideHeight} - ${c.padInfo.top} + kh * ${c.dilationHeight};
      let iw = ow * ${c.strideWidth} - ${c.padInfo.left} + kw * ${c.dilationWidth};
      if (ih < 0 || ih >= ${IH} || iw < 0 || iw >= ${IW}) { return -1; }
      return ((img * ${IH} + ih) * ${IW} + iw) * ${CI} + ci;`
}

export function conv2dForward(backend: WebGpuBackendLike, x: TensorInfo, filter: TensorInfo, c: ConvInfo, epilogue: Epilogue, bias: TensorInfo | null, fault: boolean): TensorInfo | null {
  const { outHeight: OH, outWidth: OW, inChannels: CI, outChannels: CO, filterWidth: KW } = c
  const indexFns = `
    fn indexA(batch : i32, m : i32, k : i32) -> i32 {
${im2colIndex(c, 'm', 'k')}
    }
    fn indexB(batch : i32, k : i32, n : i32) -> i32 {
      return k * ${CO} + n;
    }
  `
  const spec: GemmSpec = {
    key: `conv2d_${geometryKey(c)}`,
    indexFns,
    aName: 'xData',
    bName: 'wData',
    aVec4: CI % 4 === 0,
    bVec4: CO % 4 === 0,
    M: c.batchSize * OH * OW,
    N: CO,
    K: c.filterHeight * KW * CI,
    batch: 1,
    aContiguous: 'k',
    bContiguous: 'n',
    inputNames: bias ? ['xData', 'wData', 'biasData'] : ['xData', 'wData'],
    outputShape: c.outShape,
    epilogue,
    fault,
  }
  return runGemm(backend, spec, bias ? [x, filter, bias] : [x, filter])
}

export function conv2dInputGradient(backend: WebGpuBackendLike, dy: TensorInfo, filter: TensorInfo, c: ConvInfo, fault: boolean): TensorInfo | null {
  const { outHeight: OH, outWidth: OW, inHeight: IH, inWidth: IW, inChannels: CI, outChannels: CO, filterWidth: KW } = c
  const SH = c.strideHeight
  const SW = c.strideWidth
  // A zero wherever a (pixel, tap) pair falls between strided outputs; stride 1 has none.
  const strideCheck = SH === 1 && SW === 1 ? '' : `if (oh * ${SH} != th || ow * ${SW} != tw) { return -1; }`
  const indexFns = `
    fn indexA(batch : i32, m : i32, k : i32) -> i32 {
      let img = m / ${IH * IW};
      let p = m % ${IH * IW};
      let ih = p / ${IW};
      let iw = p % ${IW};
      let khw = k / ${CO};
      let co = k % ${CO};
      let kh = khw / ${KW};
      let kw = khw % ${KW};
      let th = ih + ${c.padInfo.top} - kh;
      let tw = iw + ${c.padInfo.left} - kw;
      if (th < 0 || tw < 0) { return -1; }
      let oh = th / ${SH};
      let ow = tw / ${SW};
      ${strideCheck}
      if (oh >= ${OH} || ow >= ${OW}) { return -1; }
      return ((img * ${OH} + oh) * ${OW} + ow) * ${CO} + co;
    }
    fn indexB(batch : i32, k : i32, n : i32) -> i32 {
      let khw = k / ${CO};
      let co = k % ${CO};
      return (khw * ${CI} + n) * ${CO} + co;
    }
  `
  const spec: GemmSpec = {
    key: `conv2dDx_${geometryKey(c)}`,
    indexFns,
    aName: 'dyData',
    bName: 'wData',
    aVec4: CO % 4 === 0,
    bVec4: CO % 4 === 0,
    M: c.batchSize * IH * IW,
    N: CI,
    K: c.filterHeight * KW * CO,
    batch: 1,
    aContiguous: 'k',
    bContiguous: 'k',
    inputNames: ['dyData', 'wData'],
    outputShape: [c.batchSize, IH, IW, CI],
    epilogue: NO_EPILOGUE,
    fault,
  }
  return runGemm(backend, spec, [dy, filter])
}

export function conv2dFilterGradient(backend: WebGpuBackendLike, x: TensorInfo, dy: TensorInfo, c: ConvInfo, fault: boolean): TensorInfo | null {
  const { outHeight: OH, outWidth: OW, inChannels: CI, outChannels: CO, filterWidth: KW } = c
  const indexFns = `
    fn indexA(batch : i32, m : i32, k : i32) -> i32 {
${im2colIndex(c, 'k', 'm')}
    }
    fn indexB(batch : i32, k : i32, n : i32) -> i32 {
      return k * ${CO} + n;
    }
  `
  const spec: GemmSpec = {
    key: `conv2dDw_${geometryKey(c)}`,
    indexFns,
    aName: 'xData',
    bName: 'dyData',
    aVec4: CI % 4 === 0,
    bVec4: CO % 4 === 0,
    M: c.filterHeight * KW * CI,
    N: CO,
    K: c.batchSize * OH * OW,
    batch: 1,
    aContiguous: 'm',
    bContiguous: 'n',
    inputNames: ['xData', 'dyData'],
    outputShape: [c.filterHeight, KW, CI, CO],
    epilogue: NO_EPILOGUE,
    fault,
  }
  return runGemm(backend, spec, [x, dy])
}
