/**
 * One tiled GEMM in WGSL that every kernel here is an instance of: C[batch][M][N] = sum_k A(m, k) * B(k, n).
 * Each kernel supplies only where A and B elements live (`indexA`, `indexB`), which makes convolution
 * an implicit GEMM (im2col computed in the loader, never stored). Where 4 neighbours along the operand's
 * contiguous index are contiguous and aligned in memory, the operand is bound as vec4 and read 4 at a time. Workgroups of 16x16 threads compute a
 * (16*rowsPerThread) x (16*colsPerThread) block of C with a register tile per thread; operands are staged
 * through workgroup memory as vec4 so the inner loop does two vector loads per 16 or 64 FMAs. A long
 * reduction can be split into chunks (grid z), written as partial sums and added by a second, elementwise
 * pass: no atomics, deterministic, and it fills the GPU when M x N alone gives too few workgroups
 * (the filter gradient's M x N is a filter, its K is batch x height x width).
 * In mixed precision (precision.ts) the staged tiles are vec4<f16>: operands are rounded to f16 as they
 * are staged, widened back as they are used, and multiplied and summed in f32. Tensors, global reads and
 * the output stay f32 (tfjs has no float16 dtype), so the saving is workgroup memory and its traffic, and
 * the path is the one a tensor-core version (subgroup matrices) will take.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core'
import { activationSnippet, type Epilogue } from './epilogue'
import { hoistEnableDirectivesOn, kernelPrecision, type KernelPrecision } from './precision'

/** The slice of tfjs-webgpu's WebGPUProgram that `runWebGPUProgram` reads. */
export interface WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] }
  dispatch: [number, number, number]
  variableNames: string[]
  variableComponents?: number[]
  outputComponent?: number
  workgroupSize: [number, number, number]
  size?: boolean
  getUserCode(): string
}

/** The slice of tfjs-webgpu's WebGPUBackend the kernels use. */
export interface WebGpuBackendLike {
  device?: { createShaderModule(descriptor: { code: string; label?: string }): unknown }
  runWebGPUProgram(program: WebGpuProgramLike, inputs: TensorInfo[], outputDtype: 'float32', uniforms?: unknown[], output?: TensorInfo): TensorInfo
  makeTensorInfo(shape: number[], dtype: 'float32'): TensorInfo
  disposeData(dataId: object): boolean
}

export const TILE_K = 16
const THREADS = 256

export interface GemmShape {
  M: number
  N: number
  K: number
  batch: number
}

export interface GemmTiling {
  rowsPerThread: 4 | 8
  colsPerThread: 4 | 8
  /** Reduction chunks (split-K); 1 = no second pass. */
  chunks: number
  /** Reduction length per chunk, a multiple of TILE_K. */
  kPerChunk: number
}

export interface GemmSpec extends GemmShape {
  /** Names the loaders and their baked constants: the pipeline cache key. */
  key: string
  /**
   * WGSL defining `fn indexA(batch: i32, m: i32, k: i32) -> i32` and `fn indexB(batch: i32, k: i32, n: i32) -> i32`:
   * the element's index in its input buffer, or -1 for a zero (padding).
   */
  indexFns: string
  /** The input buffers A and B are read from. */
  aName: string
  bName: string
  /** Which index of A (and B) is contiguous in memory, so neighbouring threads read neighbouring addresses. */
  aContiguous: 'm' | 'k'
  bContiguous: 'n' | 'k'
  /**
   * Whether A (B) may be read as vec4 along its contiguous index: groups of 4 there are contiguous, aligned
   * to 4 in the buffer, all padding or none, and that dimension's size is a multiple of 4.
   */
  aVec4: boolean
  bVec4: boolean
  /** Input names as the loaders use them (storage buffers), in the order of the tensors passed. */
  inputNames: string[]
  /** Output tensor's shape (any rank; its memory is [batch][M][N] row-major). */
  outputShape: number[]
  epilogue: Epilogue
  /** Test hook: drop the last reduction terms (4, or 1 when K <= 4), a deliberately wrong kernel. */
  fault: boolean
}

/** Tunable for tests (to reach every code path on small shapes) and for the profile script. */
export const gemmTuning = {
  /** Workgroups that fill a large GPU (H200: 132 SMs, a few resident workgroups each). */
  targetWorkgroups: 528,
  /** Smallest reduction a split-K chunk gets. */
  minKPerChunk: 256,
  /** Forces a tiling (tests). */
  force: null as Partial<GemmTiling> | null,
}

/** Largest tiles that still give enough workgroups; then split K if the grid is still too small. */
export function chooseTiling(shape: GemmShape, maxGridZ = 65535): GemmTiling {
  const { M, N, K, batch } = shape
  const grid = (r: number, c: number) => Math.ceil(M / (16 * r)) * Math.ceil(N / (16 * c)) * batch
  const candidates: Array<[4 | 8, 4 | 8]> = [[8, 8], [8, 4], [4, 8], [4, 4]]
  let [rowsPerThread, colsPerThread] = candidates.find(([r, c]) => (r === 4 || M > 64) && (c === 4 || N > 64) && grid(r, c) >= gemmTuning.targetWorkgroups) ?? [4, 4]
  const force = gemmTuning.force
  if (force?.rowsPerThread) rowsPerThread = force.rowsPerThread
  if (force?.colsPerThread) colsPerThread = force.colsPerThread
  const tiles = grid(rowsPerThread, colsPerThread)
  let chunks = 1
  if (tiles < gemmTuning.targetWorkgroups) {
    chunks = Math.min(Math.ceil(gemmTuning.targetWorkgroups / tiles), Math.floor(K / gemmTuning.minKPerChunk))
  }
  if (force?.chunks) chunks = force.chunks
  chunks = Math.max(1, Math.min(chunks, Math.floor(maxGridZ / batch), Math.ceil(K / TILE_K)))
  const kPerChunk = Math.ceil(Math.ceil(K / chunks) / TILE_K) * TILE_K
  chunks = Math.ceil(K / kPerChunk)
  return { rowsPerThread, colsPerThread, chunks, kPerChunk }
}

/** In mixed precision a value is rounded to f16 as it is staged in workgroup memory. */
const staged = (value: string, f16: boolean, vector: boolean) => (f16 ? `${vector ? 'vec4<f16>' : 'f16'}(${value})` : value)

function loadTileSnippet(tile: 'tileA' | 'tileB', rows: number, contiguous: 'outer' | 'k', loader: string, outerLimit: number, outerBase: string, vec4: boolean, f16: boolean): string {
  // `rows` is the tile's outer extent (TM or TN); the tile is stored k-major: tile[k][outer].
  if (vec4) return loadTileVec4Snippet(tile, rows, contiguous, loader, outerLimit, outerBase, f16)
  const loads = (rows * TILE_K) / THREADS
  const lines: string[] = []
  for (let i = 0; i < loads; i++) {
    const outer = contiguous === 'outer' ? `(tid % ${rows})` : `(tid / ${TILE_K} + ${(THREADS / TILE_K) * i})`
    const k = contiguous === 'outer' ? `(tid / ${rows} + ${(THREADS / rows) * i})` : `(tid % ${TILE_K})`
    lines.push(`{
      let o = ${outer};
      let kk = ${k};
      let go = ${outerBase} + o;
      let gk = kt + kk;
      var v = 0.0;
      if (gk < kEnd && go < ${outerLimit}) { v = ${loader}; }
      ${tile}[kk * ${rows / 4} + o / 4][o % 4] = ${staged('v', f16, false)};
    }`)
  }
  return lines.join('\n')
}

function loadTileVec4Snippet(tile: 'tileA' | 'tileB', rows: number, contiguous: 'outer' | 'k', loader: string, outerLimit: number, outerBase: string, f16: boolean): string {
  const loads = (rows * TILE_K) / 4 / THREADS
  const groups = rows / 4
  const lines: string[] = []
  for (let i = 0; i < loads; i++) {
    if (contiguous === 'outer') {
      lines.push(`{
      let o4 = tid % ${groups};
      let kk = tid / ${groups} + ${(THREADS / groups) * i};
      let go = ${outerBase} + o4 * 4;
      let gk = kt + kk;
      var v = vec4<f32>(0.0);
      if (gk < kEnd && go < ${outerLimit}) { v = ${loader}; }
      ${tile}[kk * ${groups} + o4] = ${staged('v', f16, true)};
    }`)
    } else {
      lines.push(`{
      let k4 = tid % 4;
      let o = tid / 4 + ${(THREADS / 4) * i};
      let go = ${outerBase} + o;
      let gk = kt + k4 * 4;
      var v = vec4<f32>(0.0);
      if (gk < kEnd && go < ${outerLimit}) { v = ${loader}; }
      for (var j = 0; j < 4; j = j + 1) { ${tile}[(k4 * 4 + j) * ${groups} + o / 4][o % 4] = ${staged('v[j]', f16, false)}; }
    }`)
    }
  }
  return lines.join('\n')
}

function loaderSnippet(name: 'A' | 'B', buffer: string, vec4: boolean): string {
  const params = name === 'A' ? 'batch : i32, m : i32, k : i32' : 'batch : i32, k : i32, n : i32'
  const args = name === 'A' ? 'batch, m, k' : 'batch, k, n'
  return vec4
    ? `fn load${name}4(${params}) -> vec4<f32> {
        let i = index${name}(${args});
        if (i < 0) { return vec4<f32>(0.0); }
        return ${buffer}[i / 4];
      }`
    : `fn load${name}(${params}) -> f32 {
        let i = index${name}(${args});
        if (i < 0) { return 0.0; }
        return ${buffer}[i];
      }`
}

export class GemmProgram implements WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout = { x: [0], y: [1], z: [2] }
  dispatch: [number, number, number]
  variableNames: string[]
  variableComponents: number[]
  outputComponent: number
  workgroupSize: [number, number, number] = [THREADS, 1, 1]

  constructor(
    private readonly spec: GemmSpec,
    private readonly tiling: GemmTiling,
    private readonly precision: KernelPrecision = 'fp32',
  ) {
    const tm = 16 * tiling.rowsPerThread
    const tn = 16 * tiling.colsPerThread
    const partial = tiling.chunks > 1
    this.outputShape = partial ? [tiling.chunks, spec.batch * spec.M * spec.N] : spec.outputShape
    this.variableNames = partial ? spec.inputNames.filter((n) => n !== 'biasData') : spec.inputNames
    this.variableComponents = this.variableNames.map((n) => ((n === spec.aName && spec.aVec4) || (n === spec.bName && spec.bVec4) ? 4 : 1))
    this.outputComponent = spec.N % 4 === 0 ? 4 : 1
    this.dispatch = [Math.ceil(spec.N / tn), Math.ceil(spec.M / tm), spec.batch * tiling.chunks]
    this.shaderKey = `wbGemm_${spec.key}_M${spec.M}N${spec.N}K${spec.K}b${spec.batch}_v${+spec.aVec4}${+spec.bVec4}_t${tiling.rowsPerThread}x${tiling.colsPerThread}c${tiling.chunks}k${tiling.kPerChunk}_${partial ? 'partial' : spec.epilogue.key}${spec.fault ? '_FAULT' : ''}${precision === 'mixed' ? '_f16' : ''}`
  }

  getUserCode(): string {
    const { M, N, K, batch, indexFns, aName, bName, aVec4, bVec4, aContiguous, bContiguous, epilogue, fault } = this.spec
    const { rowsPerThread, colsPerThread, chunks, kPerChunk } = this.tiling
    // Mixed precision: tiles hold f16 (half the workgroup memory and its traffic); each operand vector is
    // widened once per k step, so the products are exact and the sums f32, as on tensor cores.
    const f16 = this.precision === 'mixed'
    const operand = (tile: string) => (f16 ? `vec4<f32>(${tile})` : tile)
    const tm = 16 * rowsPerThread
    const tn = 16 * colsPerThread
    const ra = rowsPerThread / 4
    const ca = colsPerThread / 4
    const partial = chunks > 1
    const fma: string[] = []
    for (let r = 0; r < ra; r++) fma.push(`let a${r} = ${operand(`tileA[k * ${tm / 4} + tr + ${16 * r}]`)};`)
    for (let c = 0; c < ca; c++) fma.push(`let b${c} = ${operand(`tileB[k * ${tn / 4} + tc + ${16 * c}]`)};`)
    for (let r = 0; r < ra; r++)
      for (let i = 0; i < 4; i++)
        for (let c = 0; c < ca; c++) fma.push(`acc[${(r * 4 + i) * ca + c}] += a${r}[${i}] * b${c};`)
    const stores: string[] = []
    for (let r = 0; r < ra; r++)
      for (let i = 0; i < 4; i++)
        for (let c = 0; c < ca; c++)
          stores.push(`storeC(batch, chunk, m0 + (tr + ${16 * r}) * 4 + ${i}, n0 + (tc + ${16 * c}) * 4, acc[${(r * 4 + i) * ca + c}]);`)
    const vec4Out = N % 4 === 0
    const withEpilogue = !partial && epilogue.activation !== 'linear'
    const withBias = !partial && epilogue.bias
    const finish = (value: string, n: string, type: 'f32' | 'vec4<f32>') => {
      let v = value
      if (withBias) v = type === 'f32' ? `(${v} + biasData[${n}])` : `(${v} + vec4<f32>(biasData[${n}], biasData[${n} + 1], biasData[${n} + 2], biasData[${n} + 3]))`
      return withEpilogue ? `activate_${type === 'f32' ? 's' : 'v'}(${v})` : v
    }
    const store = vec4Out
      ? `if (n < ${N}) { result[base / 4] = ${finish('v', 'n', 'vec4<f32>')}; }`
      : `for (var j = 0; j < 4; j = j + 1) { if (n + j < ${N}) { result[base + j] = ${finish('v[j]', 'n + j', 'f32')}; } }`
    // tfjs-webgpu puts its declarations ahead of this code; the device moves `enable` first (precision.ts).
    return `${f16 ? '\n      enable f16;' : ''}
      var<workgroup> tileA : array<vec4<${f16 ? 'f16' : 'f32'}>, ${(TILE_K * tm) / 4}>;
      var<workgroup> tileB : array<vec4<${f16 ? 'f16' : 'f32'}>, ${(TILE_K * tn) / 4}>;

      ${indexFns}
      ${loaderSnippet('A', aName, aVec4)}
      ${loaderSnippet('B', bName, bVec4)}
      ${withEpilogue ? activationSnippet(epilogue) : ''}

      fn storeC(batch : i32, chunk : i32, m : i32, n : i32, v : vec4<f32>) {
        if (m >= ${M}) { return; }
        let base = chunk * ${batch * M * N} + (batch * ${M} + m) * ${N} + n;
        ${store}
      }

      fn main() {
        // Shapes are baked in; this keeps tfjs's uniform buffer in the 'auto' bind group layout it binds.
        _ = uniforms.NAN;
        let tid = i32(localIndex);
        let tr = tid / 16;
        let tc = tid % 16;
        let z = i32(workgroupId.z);
        let batch = z / ${chunks};
        let chunk = z % ${chunks};
        let m0 = i32(workgroupId.y) * ${tm};
        let n0 = i32(workgroupId.x) * ${tn};
        let kBegin = chunk * ${kPerChunk};
        let kEnd = min(kBegin + ${kPerChunk}, ${fault ? (K > 4 ? K - 4 : K - 1) : K});
        var acc : array<vec4<f32>, ${ra * 4 * ca}>;
        // A constant trip count keeps the barriers in uniform control flow (workgroupId reads as non-uniform);
        // the last chunk's surplus tiles load zeros.
        for (var t = 0; t < ${kPerChunk / TILE_K}; t = t + 1) {
          let kt = kBegin + t * ${TILE_K};
          ${loadTileSnippet('tileA', tm, aContiguous === 'm' ? 'outer' : 'k', `loadA${aVec4 ? '4' : ''}(batch, go, gk)`, M, 'm0', aVec4, f16)}
          ${loadTileSnippet('tileB', tn, bContiguous === 'n' ? 'outer' : 'k', `loadB${bVec4 ? '4' : ''}(batch, gk, go)`, N, 'n0', bVec4, f16)}
          workgroupBarrier();
          for (var k = 0; k < ${TILE_K}; k = k + 1) {
            ${fma.join('\n            ')}
          }
          workgroupBarrier();
        }
        ${stores.join('\n        ')}
      }
    `
  }
}

/** Second pass of a split-K GEMM: sums the chunks' partial results, then adds bias and activation. */
export class SplitKReduceProgram implements WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout: { x: number[] }
  dispatch: [number, number, number]
  variableNames: string[]
  variableComponents: number[]
  outputComponent = 1
  workgroupSize: [number, number, number] = [THREADS, 1, 1]
  size = true

  constructor(
    private readonly spec: GemmSpec,
    private readonly chunks: number,
  ) {
    this.outputShape = spec.outputShape
    this.dispatchLayout = { x: spec.outputShape.map((_, i) => i) }
    const total = spec.batch * spec.M * spec.N
    this.dispatch = [Math.ceil(total / THREADS), 1, 1]
    this.variableNames = spec.epilogue.bias ? ['partial', 'biasData'] : ['partial']
    this.variableComponents = this.variableNames.map(() => 1)
    this.shaderKey = `wbSplitKReduce_${total}_${spec.N}_${chunks}_${spec.epilogue.key}`
  }

  getUserCode(): string {
    const { batch, M, N, epilogue } = this.spec
    const total = batch * M * N
    let value = 'sum'
    if (epilogue.bias) value = `(${value} + biasData[index % ${N}])`
    if (epilogue.activation !== 'linear') value = `activate_s(${value})`
    return `
      ${epilogue.activation !== 'linear' ? activationSnippet(epilogue) : ''}
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var c = 0; c < ${this.chunks}; c = c + 1) { sum += partial[c * ${total} + index]; }
          result[index] = ${value};
        }
      }
    `
  }
}

/** Runs a GEMM spec on its inputs (bias last when the epilogue has one), with the split-K pass if chosen; null if it does not fit the grid. */
export function runGemm(backend: WebGpuBackendLike, spec: GemmSpec, inputs: TensorInfo[]): TensorInfo | null {
  // Grid dimensions are capped at 65535 workgroups (WebGPU's guaranteed limit); beyond, and for an empty reduction, tfjs's kernel runs it.
  if (spec.K === 0 || Math.ceil(spec.M / 64) > 65535 || Math.ceil(spec.N / 64) > 65535 || spec.batch > 65535) return null
  const tiling = chooseTiling(spec)
  const precision = kernelPrecision()
  if (precision === 'mixed') {
    if (backend.device) hoistEnableDirectivesOn(backend.device)
    // Branch point for tensor cores: where the device offers 'chromium-experimental-subgroup-matrix' with an
    // f16 x f16 -> f32 configuration (adapterInfo reports them), a subgroup-matrix GEMM program would be
    // chosen here, same spec and loaders, its tiles multiplied by subgroupMatrixMultiplyAccumulate. Not
    // written yet: no adapter we can test on offers it, and an unproven kernel must not train anyone's model.
  }
  const program = new GemmProgram(spec, tiling, precision)
  if (tiling.chunks === 1) return backend.runWebGPUProgram(program, inputs, 'float32')
  const operands = spec.epilogue.bias ? inputs.slice(0, -1) : inputs
  const partial = backend.runWebGPUProgram(program, operands, 'float32')
  const reduceInputs = spec.epilogue.bias ? [partial, inputs[inputs.length - 1]] : [partial]
  const out = backend.runWebGPUProgram(new SplitKReduceProgram(spec, tiling.chunks), reduceInputs, 'float32')
  backend.disposeData(partial.dataId)
  return out
}
