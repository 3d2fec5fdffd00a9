/**
 * worker_threads entry holding one model replica on its own wasm backend.
 * tfjs-wasm is single-threaded in Node, so separate workers are the only way
 * to use a second core.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initWasmBackend } from '../initWasmBackend';
import type { ReplicaReply, ReplicaRequest, StepRequest } from './protocol';

if (parentPort == null) throw new Error('replicaWorker must run inside a worker thread');
const port = parentPort;

let model: tfl.LayersModel | null = null;
let optimizer: tf.Optimizer | null = null;

function trainable(): tf.Variable[] {
  if (model == null) throw new Error('replica not initialised');
  // LayerVariable.read() yields the underlying tf.Variable the optimizer updates.
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function applyGrads(grads: Float32Array[]): void {
  if (optimizer == null) throw new Error('replica not initialised');
  const vars = trainable();
  const named: tf.NamedTensorMap = {};
  vars.forEach((v, i) => {
    named[v.name] = tf.tensor(grads[i], v.shape);
  });
  optimizer.applyGradients(named);
  tf.dispose(Object.values(named));
}

function step(req: StepRequest): ReplicaReply {
  if (model == null) throw new Error('replica not initialised');
  if (req.applyGrads != null) applyGrads(req.applyGrads);
  const t0 = performance.now();
  const vars = trainable();
  const m = model;
  const x = tf.tensor(req.x, req.xShape);
  const y = tf.tensor(req.y, req.yShape);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    vars,
  );
  // dataSync is a plain memcpy on wasm (kernels already ran synchronously).
  const out = vars.map((v) => grads[v.name].dataSync() as Float32Array);
  const loss = value.dataSync()[0];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return { type: 'grads', grads: out, loss, computeMs: performance.now() - t0 };
}

async function handle(req: ReplicaRequest): Promise<ReplicaReply> {
  switch (req.type) {
    case 'init': {
      await initWasmBackend();
      model = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(req.modelTopology) as tf.io.ModelJSON['modelTopology'] });
      model.setWeights(req.weights.map((w, i) => tf.tensor(w, req.weightShapes[i])));
      optimizer = tf.train.sgd(req.learningRate);
      return { type: 'ready' };
    }
    case 'step':
      return step(req);
    case 'apply':
      applyGrads(req.grads);
      return { type: 'ready' };
    case 'getWeights': {
      if (model == null) throw new Error('replica not initialised');
      return { type: 'weights', weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
    }
  }
}

port.on('message', (req: ReplicaRequest) => {
  handle(req).then(
    (reply) => {
      const transfer = reply.type === 'grads' ? reply.grads.map((g) => g.buffer) : reply.type === 'weights' ? reply.weights.map((w) => w.buffer) : [];
      port.postMessage(reply, transfer as ArrayBuffer[]);
    },
    (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies ReplicaReply),
  );
});
