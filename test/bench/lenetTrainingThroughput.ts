/**
 * LeNet training throughput on the tfjs wasm backend (plus our kernels).
 *
 *   npx tsx test/bench/lenetTrainingThroughput.ts [--batches 20] [--batch 256]
 *       [--profile] [--backend cpu] [--only relu|sigmoid]
 *
 * --profile   per-kernel time of one step (tf.profile)
 * --backend   'cpu' runs the reference backend instead (very slow)
 * --without   comma-separated kernels to put back to upstream tfjs-wasm, for
 *             ablation (e.g. --without Add,Sum). Conv2DBackpropFilter has no
 *             upstream version; an upstream MaxPoolGrad trains incorrectly.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { initWasmBackend } from '../../main/backends/wasm/initWasmBackend';
import { getUpstreamKernel } from '../../main/backends/common/wasmKernelUtils';

type Variant = 'relu' | 'sigmoid';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = process.argv[i + 1];
  return next == null || next.startsWith('--') ? 'true' : next;
}

const BATCH = Number(arg('batch') ?? 256);
const BATCHES = Number(arg('batches') ?? 20);
const WARMUP = 3;
const LR = 0.1;

/** LeNet-relu (max pool) or the classic LeNet-5 (sigmoid, average pool). */
function buildLeNet(variant: Variant): tfl.Sequential {
  const act = variant === 'relu' ? 'relu' : 'sigmoid';
  const pool = (): tfl.layers.Layer =>
    variant === 'relu'
      ? tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 })
      : tfl.layers.averagePooling2d({ poolSize: 2, strides: 2 });
  return tfl.sequential({
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
}

function randomBatch(n: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = Math.random();
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + Math.floor(Math.random() * 10)] = 1;
  return { x, y };
}

async function singleThread(variant: Variant, profile: boolean): Promise<number> {
  const model = buildLeNet(variant);
  const optimizer = tf.train.sgd(LR);
  const { x: xs, y: ys } = randomBatch(BATCH);
  const x = tf.tensor4d(xs, [BATCH, 28, 28, 1]);
  const y = tf.tensor2d(ys, [BATCH, 10]);
  const step = (): number => {
    // minimize = variableGrads + applyGradients inside one tidy; model.apply
    // (not predict/fit) keeps the graph on the tape with training semantics.
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    );
    const loss = cost == null ? NaN : cost.dataSync()[0];
    cost?.dispose();
    return loss;
  };
  for (let i = 0; i < WARMUP; i++) step();
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  let loss = NaN;
  for (let i = 0; i < BATCHES; i++) loss = step();
  const ms = performance.now() - t0;
  const leaked = tf.memory().numTensors - tensorsBefore;
  const rate = (BATCHES * BATCH) / (ms / 1000);
  console.log(
    `${tf.getBackend()} LeNet-${variant}: ${rate.toFixed(0)} samples/s (${(ms / BATCHES).toFixed(1)} ms/batch of ${BATCH}, loss ${loss.toFixed(3)}, leaked tensors ${leaked})`,
  );
  if (profile) {
    const info = await tf.profile(() => {
      step();
    });
    const byKernel = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      if (k.name.endsWith('__op')) continue; // op wrappers double-count their kernels
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += Number(k.kernelTimeMs);
      e.calls += 1;
      byKernel.set(k.name, e);
    }
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, e]) => s + e.ms, 0);
    console.log(`  profile (one step, kernels total ${total.toFixed(1)} ms):`);
    for (const [name, e] of rows) {
      if (e.ms < 0.2) continue;
      console.log(`    ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(6)} ms  x${e.calls}`);
    }
  }
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return rate;
}

async function main(): Promise<void> {
  const backend = arg('backend') ?? 'wasm';
  if (backend === 'wasm') await initWasmBackend();
  else await tf.setBackend(backend);
  const without = (arg('without') ?? '').split(',').filter((k) => k !== '' && k !== 'true');
  for (const name of without) {
    const upstream = getUpstreamKernel(name);
    if (upstream == null) throw new Error(`--without ${name}: no upstream wasm kernel to restore`);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(upstream);
  }
  if (without.length > 0) console.log(`upstream kernels restored: ${without.join(', ')} (single-thread runs only)`);
  const only = arg('only');
  const variants: Variant[] = only === 'relu' || only === 'sigmoid' ? [only] : ['relu', 'sigmoid'];
  console.log(`backend ${tf.getBackend()}, batch ${BATCH}, ${BATCHES} timed batches after ${WARMUP} warm-up`);
  for (const v of variants) await singleThread(v, arg('profile') != null);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
