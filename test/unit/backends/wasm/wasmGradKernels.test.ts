import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend';
import { registerWasmGradientKernels } from '../../../../main/backends/wasm/registerWasmGradientKernels';

type Backend = 'cpu' | 'wasm';
const TOL = 1e-4;

/** Deterministic PRNG so a failure can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(1234);
const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
function randArray(n: number, map: (v: number) => number = (v) => v): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = map(rand() * 2 - 1);
  return a;
}
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** max |a-b| / max(1,|b|): absolute for small values, relative for large ones. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

async function on(backend: Backend, fn: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = tf.tidy(fn);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

async function compareKernel(fn: () => tf.Tensor, label: string): Promise<void> {
  const cpu = await on('cpu', fn);
  const wasm = await on('wasm', fn);
  const diff = maxRelDiff(wasm, cpu);
  expect(diff, `${label}: max diff ${diff}`).toBeLessThan(TOL);
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor;
}

interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  pad: 'same' | 'valid';
}

function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  const channels: [number, number][] = [[1, 6], [3, 4], [6, 16], [5, 1]];
  for (const s of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const [ci, co] of channels) {
        const k = [1, 3, 5][randInt(0, 2)];
        cases.push({ n: randInt(2, 4), h: randInt(k + 2, 13), w: randInt(k + 2, 13), ci, co, k, s, pad });
      }
    }
  }
  // Strided 'valid' conv whose last input row/col is never read.
  cases.push({ n: 3, h: 8, w: 9, ci: 2, co: 3, k: 3, s: 2, pad: 'valid' });
  // LeNet layers.
  cases.push({ n: 4, h: 28, w: 28, ci: 1, co: 6, k: 5, s: 1, pad: 'same' });
  cases.push({ n: 4, h: 14, w: 14, ci: 6, co: 16, k: 5, s: 1, pad: 'valid' });
  return cases;
}

const outSize = (len: number, k: number, s: number, pad: 'same' | 'valid'): number =>
  pad === 'same' ? Math.ceil(len / s) : Math.ceil((len - k + 1) / s);

describe('wasm gradient kernels match the cpu backend', () => {
  beforeAll(async () => {
    await initWasmBackend();
  });

  it('registers idempotently and serves the kernels on wasm', () => {
    const first = registerWasmGradientKernels();
    const second = registerWasmGradientKernels();
    expect(second).toEqual(first);
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']) {
      expect(first).toContain(name);
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
    expect(tf.getBackend()).toBe('wasm');
  });

  for (const c of convCases()) {
    const label = `n${c.n} ${c.h}x${c.w} ci${c.ci} co${c.co} k${c.k} s${c.s} ${c.pad}`;
    const oh = outSize(c.h, c.k, c.s, c.pad);
    const ow = outSize(c.w, c.k, c.s, c.pad);
    const xShape = [c.n, c.h, c.w, c.ci];
    const fShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
    const dyShape = [c.n, oh, ow, c.co];
    const x = randArray(size(xShape));
    const f = randArray(size(fShape));
    const dy = randArray(size(dyShape));

    it(`Conv2DBackpropFilter ${label}`, async () => {
      await compareKernel(
        () =>
          run(
            'Conv2DBackpropFilter',
            { x: tf.tensor(x, xShape), dy: tf.tensor(dy, dyShape) },
            { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', filterShape: fShape },
          ),
        label,
      );
    });

    it(`Conv2DBackpropInput ${label}`, async () => {
      await compareKernel(
        () =>
          run(
            'Conv2DBackpropInput',
            { dy: tf.tensor(dy, dyShape), filter: tf.tensor(f, fShape) },
            { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', inputShape: xShape },
          ),
        label,
      );
    });
  }

  interface PoolCase {
    shape: [number, number, number, number];
    k: number;
    s: number;
    pad: 'same' | 'valid';
    values: 'uniform' | 'tanh' | 'negative' | 'ties';
  }
  const poolCases: PoolCase[] = [];
  for (const values of ['uniform', 'tanh', 'negative'] as const) {
    for (const [k, s] of [[2, 2], [3, 2], [3, 1], [2, 1]]) {
      for (const pad of ['same', 'valid'] as const) {
        poolCases.push({ shape: [randInt(2, 3), randInt(5, 11), randInt(5, 11), [1, 3, 6][randInt(0, 2)]], k, s, pad, values });
      }
    }
  }
  poolCases.push({ shape: [4, 28, 28, 6], k: 2, s: 2, pad: 'valid', values: 'negative' });
  poolCases.push({ shape: [3, 8, 8, 4], k: 2, s: 2, pad: 'valid', values: 'ties' });

  for (const p of poolCases) {
    const label = `${p.shape.join('x')} k${p.k} s${p.s} ${p.pad} ${p.values}`;
    const xs = randArray(size(p.shape), (v) => {
      switch (p.values) {
        case 'tanh':
          return Math.tanh(3 * v);
        case 'negative':
          return -Math.abs(v) - 1e-3;
        case 'ties':
          return Math.round(v);
        default:
          return v;
      }
    });
    const attrs = { filterSize: [p.k, p.k], strides: [p.s, p.s], pad: p.pad };
    const oh = outSize(p.shape[1], p.k, p.s, p.pad);
    const ow = outSize(p.shape[2], p.k, p.s, p.pad);
    const dyShape = [p.shape[0], oh, ow, p.shape[3]];
    const dy = randArray(size(dyShape));

    it(`MaxPoolGrad ${label}`, async () => {
      await compareKernel(() => {
        const input = tf.tensor4d(xs, p.shape as [number, number, number, number]);
        const output = tf.maxPool(input, p.k, p.s, p.pad);
        expect(output.shape).toEqual(dyShape);
        return run('MaxPoolGrad', { dy: tf.tensor(dy, dyShape), input, output }, attrs);
      }, label);
    });

    it(`AvgPoolGrad ${label}`, async () => {
      await compareKernel(() => run('AvgPoolGrad', { dy: tf.tensor(dy, dyShape), input: tf.tensor(xs, p.shape) }, attrs), label);
    });
  }

  for (const [m, k, n] of [[7, 5, 3], [256, 400, 120], [33, 84, 10]]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const aShape = ta ? [k, m] : [m, k];
      const bShape = tb ? [n, k] : [k, n];
      const a = randArray(size(aShape));
      const b = randArray(size(bShape));
      it(`BatchMatMul ${m}x${k}x${n} tA=${ta} tB=${tb}`, async () => {
        await compareKernel(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb), `matmul ${ta} ${tb}`);
      });
    }
  }
  for (const shape of [[4, 7, 5, 6], [3, 5, 5, 16], [2, 3, 4, 5, 3], [5, 9, 1]]) {
    const x = randArray(size(shape));
    const c = shape[shape.length - 1];
    const bias = randArray(c);
    it(`Add bias ${shape.join('x')} + [${c}] (both operand orders, and [1,..,1,c])`, async () => {
      await compareKernel(() => tf.add(tf.tensor(x, shape), tf.tensor(bias, [c])), 'x+b');
      await compareKernel(() => tf.add(tf.tensor(bias, [c]), tf.tensor(x, shape)), 'b+x');
      const ones = shape.slice(0, -1).map(() => 1);
      await compareKernel(() => tf.add(tf.tensor(x, shape), tf.tensor(bias, [...ones, c])), 'x+b4');
    });
    it(`Sum ${shape.join('x')} over all but the last axis (and other axes)`, async () => {
      const axes = shape.slice(0, -1).map((_, i) => i);
      await compareKernel(() => tf.sum(tf.tensor(x, shape), axes), 'bias grad');
      await compareKernel(() => tf.sum(tf.tensor(x, shape), axes, true), 'keepDims');
      await compareKernel(() => tf.sum(tf.tensor(x, shape), [0]), 'axis 0');
      await compareKernel(() => tf.sum(tf.tensor(x, shape), -1), 'last axis');
    });
  }
  it('Add with a non-bias broadcast goes upstream and stays correct', async () => {
    const x = randArray(4 * 5 * 6);
    const y = randArray(5 * 1);
    await compareKernel(() => tf.add(tf.tensor(x, [4, 5, 6]), tf.tensor(y, [5, 1])), 'broadcast');
  });
  it('BatchMatMul rank 3 with batch 1 and transposes', async () => {
    const a = randArray(5 * 7);
    const b = randArray(3 * 5);
    await compareKernel(() => tf.matMul(tf.tensor(a, [1, 5, 7]), tf.tensor(b, [1, 3, 5]), true, true), 'rank3');
    await tf.setBackend('wasm');
    const shape = tf.tidy(() => tf.matMul(tf.tensor(a, [1, 5, 7]), tf.tensor(b, [1, 3, 5]), true, true).shape);
    expect(shape).toEqual([1, 7, 3]);
  });
  it('BatchMatMul with batch > 1 (upstream fallback)', async () => {
    const a = randArray(3 * 4 * 5);
    const b = randArray(3 * 6 * 5);
    await compareKernel(() => tf.matMul(tf.tensor(a, [3, 4, 5]), tf.tensor(b, [3, 6, 5]), false, true), 'batched');
  });

  for (const act of ['tanh', 'relu'] as const) {
    it(`tf.grads of conv+maxpool+dense loss (${act}) equals cpu`, async () => {
      const x = randArray(3 * 12 * 12 * 2);
      const f = randArray(3 * 3 * 2 * 5, (v) => v * 0.5);
      const fb = randArray(5, (v) => v * 0.1 - 0.3);
      const w = randArray(5 * 5 * 5 * 4, (v) => v * 0.2);
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 3, 1], 'int32'), 4));
      const grads = async (backend: Backend): Promise<Float32Array[]> => {
        await tf.setBackend(backend);
        const params = [tf.tensor(f, [3, 3, 2, 5]), tf.tensor(fb, [5]), tf.tensor(w, [125, 4])];
        const xt = tf.tensor(x, [3, 12, 12, 2]);
        const g = tf.grads((filter: tf.Tensor, bias: tf.Tensor, dense: tf.Tensor) => {
          const conv = tf.add(tf.conv2d(xt as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'), bias);
          const a = act === 'tanh' ? tf.tanh(conv) : tf.relu(conv);
          const pooled = tf.maxPool(a as tf.Tensor4D, 3, 2, 'valid');
          const logits = tf.matMul(tf.reshape(pooled, [3, 125]), dense);
          return tf.losses.softmaxCrossEntropy(labels, logits);
        })(params);
        const out = await Promise.all(g.map(async (t) => (await t.data()) as Float32Array));
        tf.dispose([...g, ...params, xt]);
        return out;
      };
      const cpu = await grads('cpu');
      const wasm = await grads('wasm');
      for (let i = 0; i < cpu.length; i++) {
        expect(maxRelDiff(wasm[i], cpu[i]), `param ${i}`).toBeLessThan(TOL);
      }
      labels.dispose();
    });
  }

  for (const variant of ['relu-max', 'sigmoid-avg'] as const) {
    it(`LeNet (${variant}) parameter gradients equal cpu`, async () => {
      await tf.setBackend('cpu');
      const act = variant === 'relu-max' ? 'relu' : 'sigmoid';
      const pool = () =>
        variant === 'relu-max'
          ? tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 })
          : tfl.layers.averagePooling2d({ poolSize: 2, strides: 2 });
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: act }),
          pool(),
          tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: act }),
          pool(),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 120, activation: act }),
          tfl.layers.dense({ units: 84, activation: act }),
          tfl.layers.dense({ units: 10 }),
        ],
      });
      const weights = model.getWeights().map((t) => ({ shape: t.shape, data: t.dataSync().slice() as Float32Array }));
      const x = randArray(8 * 28 * 28);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10));
      const grads = async (backend: Backend): Promise<Float32Array[]> => {
        await tf.setBackend(backend);
        model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
        const xt = tf.tensor(x, [8, 28, 28, 1]);
        const { grads: g, value } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, model.apply(xt, { training: true }) as tf.Tensor) as tf.Scalar,
        );
        const names = Object.keys(g).sort();
        const out = await Promise.all(names.map(async (n) => (await g[n].data()) as Float32Array));
        tf.dispose([xt, value, ...Object.values(g)]);
        return out;
      };
      const cpu = await grads('cpu');
      const wasm = await grads('wasm');
      expect(cpu.length).toBe(10);
      for (let i = 0; i < cpu.length; i++) {
        expect(maxRelDiff(wasm[i], cpu[i]), `weight ${i}`).toBeLessThan(TOL);
      }
      y.dispose();
      model.dispose();
    });
  }
  it('zero-copy Identity keeps clones valid after the source is disposed', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1, 2, 3, 4]);
    b.dispose();
  });

});
