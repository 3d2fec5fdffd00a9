/**
 * worker_threads entry: one model replica on its own wasm backend (tfjs-wasm runs one thread in Node, so
 * a second core needs a second thread with its own backend). It receives the coordinator's current
 * weights with every shard and answers with the shard's loss sum, correct count and gradient sums; it
 * keeps no optimizer and no state between shards. Bundled builds need this file as an entry of its own:
 * see `gradientReplicaEntry` in gradientEngine.ts.
 */
import { parentPort } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { loadNativeKernels } from '../../../backends/native/nativeKernels'
import { setWasmBlasKernels } from '../../../backends/native/wasmBlasKernels'
import { initWasmBackend } from '../../../backends/wasm/initWasmBackend'
// Custom layers must be registered in this thread too, or modelFromJSON cannot rebuild the model: the
// model factory imports (and so registers) every custom layer it builds.
import '../../model/modelFactory'
import { lossGradients } from '../../model/modelStep'
import type { ReplicaInit, ReplicaReply, ReplicaRequest, ReplicaShard } from './replicaProtocol'

if (parentPort == null) throw new Error('gradientReplica must run inside a worker thread')
const port = parentPort

interface Replica {
  model: tfl.LayersModel
  variables: tf.Variable[]
  weightShapes: number[][]
  classes: number
  imageShape: [number, number, number]
}

let replica: Replica | undefined

async function init(request: ReplicaInit): Promise<ReplicaReply> {
  await initWasmBackend()
  if (request.nativeKernels) {
    const native = loadNativeKernels()
    // Every replica is already one busy core.
    native.addon.setThreads(1)
    setWasmBlasKernels(native)
  }
  const model = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(request.modelTopology) as tf.io.ModelJSON['modelTopology'] })
  replica = {
    model,
    variables: model.trainableWeights.map((weight) => weight.read() as tf.Variable),
    weightShapes: model.weights.map((weight) => weight.shape as number[]),
    classes: request.classes,
    imageShape: request.imageShape,
  }
  return { type: 'ready' }
}

function shard(request: ReplicaShard): ReplicaReply {
  if (!replica) throw new Error('replica not initialised')
  const { model, variables, weightShapes } = replica
  if (request.weights.length !== weightShapes.length) throw new Error(`got ${request.weights.length} weight arrays for ${weightShapes.length} weights`)
  tf.tidy(() => model.setWeights(request.weights.map((values, i) => tf.tensor(values, weightShapes[i]))))
  const { classes, imageShape } = replica
  const result = lossGradients(model, variables, request.images, request.labels, request.size, { classes, imageShape, lossScale: request.size })
  // dataSync on wasm copies out of the heap, so the arrays can be transferred.
  const grads = variables.map((v) => result.grads[v.name].dataSync() as Float32Array)
  tf.dispose(result.grads)
  return { type: 'grads', lossSum: result.loss, correct: result.correct, grads }
}

async function handle(request: ReplicaRequest): Promise<ReplicaReply> {
  switch (request.type) {
    case 'init':
      return init(request)
    case 'shard':
      return shard(request)
  }
}

port.on('message', (request: ReplicaRequest) => {
  handle(request).then(
    (reply) => port.postMessage(reply, reply.type === 'grads' ? reply.grads.map((g) => g.buffer as ArrayBuffer) : []),
    (error: unknown) => {
      // The emscripten loader rejects with a plain {message} object, not an Error.
      const message =
        error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error)
      port.postMessage({ type: 'error', message, stack: error instanceof Error ? error.stack : undefined } satisfies ReplicaReply)
    },
  )
})
