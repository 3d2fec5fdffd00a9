import { Worker } from 'node:worker_threads';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ReplicaReply, ReplicaRequest } from './protocol';

export interface DataParallelOptions {
  /** Number of replica workers (default 2 = cores on the target machine). */
  replicas?: number;
  learningRate: number;
  /**
   * Worker entry. Defaults to the sibling replicaWorker.ts, which works under
   * tsx (workers inherit its loader). A bundled app must pass the URL of the
   * built worker chunk instead.
   */
  workerUrl?: URL;
}

export interface StepResult {
  loss: number;
  /** Slowest replica's time inside tfjs (ms): the rest is coordination. */
  replicaComputeMs: number;
}

/**
 * tsx registers its loader per thread and workers do not inherit it, so a .ts
 * entry (dev, bench, tests) is started through a tiny eval bootstrap that
 * registers tsx first. Built .js entries are started directly.
 */
function spawnWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** FIFO request/reply channel: a replica answers its requests in order. */
class Replica {
  private readonly pending: { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void }[] = [];

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: ReplicaReply) => {
      const waiter = this.pending.shift();
      if (waiter == null) return;
      if (reply.type === 'error') waiter.reject(new Error(`replica failed: ${reply.message}`));
      else waiter.resolve(reply);
    });
    worker.on('error', (err) => {
      for (const w of this.pending.splice(0)) w.reject(err);
    });
    worker.on('exit', (code) => {
      for (const w of this.pending.splice(0)) w.reject(new Error(`replica worker exited (code ${code})`));
    });
  }

  request(req: ReplicaRequest, transfer: ArrayBuffer[] = []): Promise<ReplicaReply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(req, transfer);
    });
  }
}

/**
 * Synchronous data-parallel SGD over worker_threads replicas.
 *
 * Each batch is split across replicas; every replica returns mean gradients
 * of its shard; the coordinator forms the sample-weighted mean and ships it
 * back with the next shard, where each replica applies it before computing.
 * All replicas apply identical updates to identical weights, so they stay
 * bit-identical and the result equals single-replica SGD on the full batch
 * (up to float summation order).
 */
export class DataParallelTrainer {
  private pendingGrads: Float32Array[] | null = null;
  private busy = false;

  private constructor(
    private readonly replicas: Replica[],
    private readonly gradShapes: number[][],
  ) {}

  static async create(model: tfl.LayersModel, options: DataParallelOptions): Promise<DataParallelTrainer> {
    const count = options.replicas ?? 2;
    const url = options.workerUrl ?? new URL('./replicaWorker.ts', import.meta.url);
    const weights = model.getWeights();
    const weightShapes = weights.map((w) => w.shape);
    const values = weights.map((w) => w.dataSync() as Float32Array);
    const trainableShapes = model.trainableWeights.map((w) => w.shape as number[]);
    const replicas = Array.from({ length: count }, () => new Replica(spawnWorker(url)));
    const topology = JSON.stringify(model.toJSON(null, false));
    try {
      await Promise.all(
        replicas.map((r) =>
          r.request({
            type: 'init',
            modelTopology: topology,
            weights: values.map((v) => v.slice()),
            weightShapes,
            learningRate: options.learningRate,
          }),
        ),
      );
    } catch (err) {
      await Promise.all(replicas.map((r) => r.worker.terminate()));
      throw err;
    }
    return new DataParallelTrainer(replicas, trainableShapes);
  }

  /**
   * One SGD step on a batch. x: [n, ...sampleShape] row-major, y: one-hot
   * [n, classes]. Resolves with the full-batch mean loss.
   */
  async trainBatch(x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]): Promise<StepResult> {
    if (this.busy) throw new Error('DataParallelTrainer: await the previous trainBatch/getWeights first');
    this.busy = true;
    try {
      return await this.step(x, xShape, y, yShape);
    } finally {
      this.busy = false;
    }
  }

  private async step(x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]): Promise<StepResult> {
    const n = xShape[0];
    const xPer = x.length / n;
    const yPer = y.length / n;
    const k = this.replicas.length;
    const bounds = Array.from({ length: k + 1 }, (_, i) => Math.round((i * n) / k));
    const apply = this.pendingGrads;
    const replies = await Promise.all(
      this.replicas.map((r, i) => {
        const lo = bounds[i];
        const hi = bounds[i + 1];
        const xs = x.slice(lo * xPer, hi * xPer);
        const ys = y.slice(lo * yPer, hi * yPer);
        const grads = apply?.map((g) => g.slice()) ?? null;
        const transfer = [xs.buffer, ys.buffer, ...(grads?.map((g) => g.buffer) ?? [])] as ArrayBuffer[];
        return r.request(
          { type: 'step', applyGrads: grads, x: xs, xShape: [hi - lo, ...xShape.slice(1)], y: ys, yShape: [hi - lo, ...yShape.slice(1)] },
          transfer,
        );
      }),
    );
    let loss = 0;
    let computeMs = 0;
    const mean = this.gradShapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    replies.forEach((reply, i) => {
      if (reply.type !== 'grads') throw new Error(`unexpected replica reply ${reply.type}`);
      const share = (bounds[i + 1] - bounds[i]) / n;
      loss += reply.loss * share;
      computeMs = Math.max(computeMs, reply.computeMs);
      reply.grads.forEach((g, j) => {
        const m = mean[j];
        for (let e = 0; e < g.length; e++) m[e] += g[e] * share;
      });
    });
    this.pendingGrads = mean;
    return { loss, replicaComputeMs: computeMs };
  }

  /** Current weights (model.getWeights() order), after the last step's update. */
  async getWeights(): Promise<Float32Array[]> {
    if (this.busy) throw new Error('DataParallelTrainer: await the previous trainBatch/getWeights first');
    this.busy = true;
    try {
      await this.flush();
      const reply = await this.replicas[0].request({ type: 'getWeights' });
      if (reply.type !== 'weights') throw new Error(`unexpected replica reply ${reply.type}`);
      return reply.weights;
    } finally {
      this.busy = false;
    }
  }

  private async flush(): Promise<void> {
    const grads = this.pendingGrads;
    if (grads == null) return;
    this.pendingGrads = null;
    await Promise.all(this.replicas.map((r) => r.request({ type: 'apply', grads: grads.map((g) => g.slice()) })));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.worker.terminate()));
  }
}
