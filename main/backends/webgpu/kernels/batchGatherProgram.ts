/**
 * One WGSL program that builds a training batch from a split held in GPU memory: gathers the batch's
 * images by index, converts channels, augments and normalizes, as main/data/pipeline/imagePipeline.ts's ImagePipeline
 * does on the CPU. One workgroup per image. Every thread of a workgroup replays the image's seeded random
 * stream (sampleSeed + mulberry32, in u32 arithmetic, bit for bit the CPU's), so the crop offsets and the
 * flip are the CPU's exactly; brightness, contrast and PCA noise use the same draws in f32 arithmetic
 * (the CPU's are f64), equal to float rounding.
 */
import type { WebGpuProgramLike } from './gemmProgram'
import { BYTE_SCALE } from '../../../../shared/modelPixels'

const THREADS = 256

export interface BatchGatherSpec {
  height: number
  width: number
  /** Channels stored and channels produced (1 or 3 each). */
  fromChannels: number
  toChannels: number
  /** Images in the uploaded split (the fault hook wraps around it). */
  count: number
  /** 'bytes': u8 packed four to an i32 word, read through a 256-entry f32 codebook; 'floats': f32 as stored. */
  storage: 'bytes' | 'floats'
  /**
   * The stored words (or floats) come in `chunks` buffers of `chunkLength` elements each (the last may be
   * shorter): a split larger than one storage binding of the device still goes up.
   */
  chunks: number
  chunkLength: number
  /** Applied only where the pipeline augments (training). */
  augment?: { cropPadding: number; flip: boolean; brightness: number; contrast: number; pcaNoise: number }
  /** PCA noise: the per-channel delta is sum_col eigenvectors[row][col] * N(0, sigma) * eigenvalues[col]; gray uses std[0]. */
  pca?: { eigenvalues: number[]; eigenvectors: number[][] } | { grayStd: number }
  /** Per output channel; absent: pixels stay in [0, 1]. */
  normalize?: { mean: number[]; std: number[] }
  /** Test hook: every slot reads the next image of the split, a deliberately wrong gather. */
  fault: boolean
}

/** WGSL's f32 literal for a JS number, rounded to f32 as the CPU's Float32Array would store it. */
const f32 = (value: number): string => {
  const v = Math.fround(value)
  return Number.isInteger(v) ? `${v}.0` : `${v}`
}

export class BatchGatherProgram implements WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout = { x: [0] }
  dispatch: [number, number, number]
  variableNames: string[]
  variableComponents: number[]
  outputComponent = 1
  workgroupSize: [number, number, number] = [THREADS, 1, 1]
  uniforms = 'seed : u32, epoch : u32, batchSize : i32,'

  constructor(
    private readonly spec: BatchGatherSpec,
    batchSize: number,
  ) {
    this.variableNames = [...Array.from({ length: spec.chunks }, (_, c) => `pixels${c}`), 'codebook', 'slots']
    this.variableComponents = this.variableNames.map(() => 1)
    this.outputShape = [batchSize, spec.height, spec.width, spec.toChannels]
    this.dispatch = [batchSize, 1, 1]
    this.shaderKey = `wbBatchGather_${JSON.stringify({ ...spec, batchSize: undefined })}`
  }

  getUserCode(): string {
    const { height: H, width: W, fromChannels: cin, toChannels: cout, count, storage, chunks, chunkLength, augment, pca, normalize, fault } = this.spec
    const elems = H * W * cout
    const crop = !!augment && (augment.cropPadding > 0 || augment.flip)
    const tone = !!augment && (augment.brightness > 0 || augment.contrast > 0)
    const noise = !!augment && augment.pcaNoise > 0 && !!pca
    const unit =
      storage === 'bytes'
        ? `fn unit(i : i32) -> f32 { return codebook[(word(i >> 2u) >> (u32(i & 3) * 8u)) & 255]; }
           fn raw(i : i32) -> f32 { return f32((word(i >> 2u) >> (u32(i & 3) * 8u)) & 255); }`
        : `fn unit(i : i32) -> f32 { return word(i); }
           fn raw(i : i32) -> f32 { return word(i); }`
    const wordType = storage === 'bytes' ? 'i32' : 'f32'
    const wordFn =
      chunks === 1
        ? `fn word(w : i32) -> ${wordType} { return pixels0[w]; }`
        : `fn word(w : i32) -> ${wordType} {
             let c = w / ${chunkLength};
             let o = w - c * ${chunkLength};
             ${Array.from({ length: chunks - 1 }, (_, c) => `if (c == ${c}) { return pixels${c}[o]; }`).join('\n')}
             return pixels${chunks - 1}[o];
           }`
    // The CPU weighs the raw values and scales the sum (1/255 for bytes, 1 for floats).
    const scale = storage === 'bytes' ? BYTE_SCALE : 1
    const converted =
      cin === cout
        ? `unit(base + pixel * ${cin} + k)`
        : cin === 1
          ? `unit(base + pixel)`
          : `(0.299 * raw(base + pixel * 3) + 0.587 * raw(base + pixel * 3 + 1) + 0.114 * raw(base + pixel * 3 + 2)) * ${f32(scale)}`
    const pcaDelta = (() => {
      if (!noise || !pca || !augment) return ''
      const sigma = augment.pcaNoise
      if ('grayStd' in pca) return `let g0 = gaussian() * ${f32(sigma)} * ${f32(pca.grayStd)};\n delta = vec3<f32>(g0, g0, g0);`
      const alphas = pca.eigenvalues.map((lambda, col) => `let a${col} = gaussian() * ${f32(sigma)} * ${f32(lambda)};`).join('\n')
      const rows = [0, 1, 2].map((row) => pca.eigenvectors[row].map((v, col) => `${f32(v)} * a${col}`).join(' + '))
      return `${alphas}\n delta = vec3<f32>(${rows.join(', ')});`
    })()
    const channelArray = (values: number[]) => `array<f32, ${cout}>(${Array.from({ length: cout }, (_, i) => f32(values[Math.min(i, values.length - 1)])).join(', ')})`
    return `
      var<workgroup> partial : array<f32, ${THREADS}>;
      var<private> rngState : u32;

      ${wordFn}
      ${unit}

      fn mix32(h : u32, value : u32) -> u32 {
        var x = (h ^ value) * 0x85ebca6bu;
        x = x ^ (x >> 13u);
        x = x * 0xc2b2ae35u;
        return x ^ (x >> 16u);
      }

      // mulberry32, as main/data/pipeline/seededRandom.ts: u32 wraps as Math.imul does.
      fn nextU32() -> u32 {
        rngState = rngState + 0x6d2b79f5u;
        var t = rngState;
        t = (t ^ (t >> 15u)) * (t | 1u);
        t = t ^ (t + (t ^ (t >> 7u)) * (t | 61u));
        return t ^ (t >> 14u);
      }

      fn nextUnit() -> f32 { return f32(nextU32()) * 2.3283064365386963e-10; }

      // floor(random() * n) exactly: the high word of the 64-bit product u * n (n < 65536).
      fn nextBelow(n : u32) -> i32 {
        let u = nextU32();
        return i32((((u >> 16u) * n) + (((u & 0xffffu) * n) >> 16u)) >> 16u);
      }

      fn gaussian() -> f32 {
        let u = max(nextUnit(), 1e-12);
        // cos(2 pi v) as -cos(2 pi v - pi): the argument stays in [-pi, pi], where WGSL's cos is accurate.
        return sqrt(-2.0 * log(u)) * -cos(6.283185307179586 * nextUnit() - 3.141592653589793);
      }

      fn main(index : i32) {
        let slot = index / ${THREADS};
        let tid = i32(localIndex);
        let valid = slot < uniforms.batchSize;
        // Bound whatever the storage (floats never read it): the bind group names every input.
        _ = codebook[0];
        var image = slots[min(slot, uniforms.batchSize - 1)];
        ${fault ? `image = (image + 1) % ${count};` : ''}
        let base = image * ${H * W * cin};
        rngState = mix32(mix32(uniforms.seed ^ 0x9e3779b9u, uniforms.epoch), u32(image));
        var dy = 0;
        var dx = 0;
        var flip = false;
        var shift = 0.0;
        var factor = 1.0;
        var delta = vec3<f32>(0.0);
        ${crop && augment!.cropPadding > 0 ? `dy = nextBelow(${2 * augment!.cropPadding + 1}u) - ${augment!.cropPadding}; dx = nextBelow(${2 * augment!.cropPadding + 1}u) - ${augment!.cropPadding};` : ''}
        ${crop && augment!.flip ? 'flip = nextU32() < 0x80000000u;' : ''}
        ${tone && augment!.brightness > 0 ? `shift = (nextUnit() * 2.0 - 1.0) * ${f32(augment!.brightness)};` : ''}
        ${tone && augment!.contrast > 0 ? `factor = 1.0 + (nextUnit() * 2.0 - 1.0) * ${f32(augment!.contrast)};` : ''}
        ${pcaDelta}

        var mean = 0.0;
        ${
          tone && augment!.contrast > 0
            ? `
        var sum = 0.0;
        for (var e = tid; e < ${elems}; e = e + ${THREADS}) { sum = sum + cropped(base, e, dy, dx, flip); }
        partial[tid] = sum;
        workgroupBarrier();
        for (var s = ${THREADS / 2}; s > 0; s = s >> 1u) {
          if (tid < s) { partial[tid] = partial[tid] + partial[tid + s]; }
          workgroupBarrier();
        }
        mean = partial[0] / ${f32(elems)};`
            : ''
        }
        if (!valid) { return; }
        ${normalize ? `var means = ${channelArray(normalize.mean)};\n var stds = ${channelArray(normalize.std)};` : ''}
        for (var e = tid; e < ${elems}; e = e + ${THREADS}) {
          var v = cropped(base, e, dy, dx, flip);
          ${tone ? 'v = clamp((v - mean) * factor + mean + shift, 0.0, 1.0);' : ''}
          ${noise ? `v = clamp(v + delta[e % ${cout}], 0.0, 1.0);` : ''}
          ${normalize ? `let k = e % ${cout};\n v = (v - means[k]) / stds[k];` : ''}
          result[slot * ${elems} + e] = v;
        }
      }

      fn cropped(base : i32, e : i32, dy : i32, dx : i32, flip : bool) -> f32 {
        let pixel = e / ${cout};
        let k = e % ${cout};
        let y = pixel / ${W};
        let x = pixel % ${W};
        let sy = y + dy;
        let sx = select(x, ${W - 1} - x, flip) + dx;
        if (sy < 0 || sy >= ${H} || sx < 0 || sx >= ${W}) { return 0.0; }
        return convert(base, sy * ${W} + sx, k);
      }

      fn convert(base : i32, pixel : i32, k : i32) -> f32 {
        ${cin === 3 && cout === 1 ? '_ = k;' : ''}
        return ${converted};
      }
    `
  }
}

/** The batch's labels, gathered from the split's labels (int32, uploaded once) by the same slots. */
export class LabelGatherProgram implements WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout = { x: [0] }
  dispatch: [number, number, number]
  variableNames = ['labels', 'slots']
  variableComponents = [1, 1]
  outputComponent = 1
  workgroupSize: [number, number, number] = [64, 1, 1]
  size = true

  constructor(
    batchSize: number,
    private readonly fault: { count: number } | null,
  ) {
    this.outputShape = [batchSize]
    this.dispatch = [Math.ceil(batchSize / 64), 1, 1]
    this.shaderKey = `wbLabelGather${fault ? `_FAULT${fault.count}` : ''}`
  }

  getUserCode(): string {
    const image = this.fault ? `(slots[index] + 1) % ${this.fault.count}` : 'slots[index]'
    return `
      fn main(index : i32) {
        if (index < uniforms.size) { result[index] = labels[${image}]; }
      }
    `
  }
}
