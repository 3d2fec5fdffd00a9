import { availableParallelism } from 'node:os'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { lossGradients, lossGradientsDeferred, lossGradientsDeferredOnDevice, type DeferredGradients, type LossGradients } from '../../model/modelStep'
import type { ReplicaGradients, ReplicaReply, ReplicaRequest } from './replicaProtocol'
import { activeNativeKernels } from '../../../backends/native/wasmBlasKernels'

export interface GradientResult {
  /** Mean cross-entropy of the batch plus the weight-decay penalty, as the trainer reports it. */
  loss: number
  correct: number
  /** Gradients of `loss`, keyed by the names of the model's trainable variables. The caller disposes them. */
  grads: tf.NamedTensorMap
}

/**
 * Where the trainer gets a batch's gradients from. The optimizer, clipping and schedule stay with the
 * trainer, so every engine works with all of them.
 */
export interface GradientEngine {
  /** Model replicas computing each batch (1: this thread alone). */
  readonly replicas: number
  /** One call at a time: await it before the next. */
  compute(images: Float32Array, labels: Int32Array, size: number): Promise<GradientResult>
  /**
   * Where offered: the gradients at once, the loss and correct count read back later. On a GPU this
   * queues the next batch's work before the last one's numbers arrive (no stall per batch).
   */
  computeDeferred?(images: Float32Array, labels: Int32Array, size: number, gradientScale?: tf.Scalar): DeferredGradients
  /** Where offered (this thread's engine): the same on a batch already on the device; takes and disposes x and y. */
  computeDeferredOnDevice?(x: tf.Tensor4D, y: tf.Tensor1D, gradientScale?: tf.Scalar): DeferredGradients
  dispose(): Promise<void>
}

export type { DeferredGradients }

export interface GradientEngineOptions {
  classes: number
  /** [height, width, channels] of the images passed to `compute`. */
  imageShape: [number, number, number]
  /** Coupled L2 decay: weightDecay / 2 * sum of squared trainable weights is added to the loss. */
  weightDecay: number
}

const trainableVariables = (model: tfl.LayersModel) => model.trainableWeights.map((weight) => weight.read() as tf.Variable)

/** The batch in this thread, in one piece: the trainer's computation as it always was. */
export function createLocalGradientEngine(
  model: tfl.LayersModel,
  classes: number,
  imageShape: [number, number, number],
  weightDecay: number,
): GradientEngine {
  const variables = trainableVariables(model)
  const computeDeferred = (images: Float32Array, labels: Int32Array, size: number, gradientScale?: tf.Scalar): DeferredGradients =>
    lossGradientsDeferred(model, variables, images, labels, size, { classes, imageShape, weightDecay, gradientScale })
  return {
    replicas: 1,
    async compute(images, labels, size) {
      const { grads, readings } = computeDeferred(images, labels, size)
      try {
        const [loss, correct] = await readings
        return { loss, correct, grads }
      } catch (error) {
        tf.dispose(grads)
        throw error
      }
    },
    computeDeferred,
    computeDeferredOnDevice: (x, y, gradientScale) => lossGradientsDeferredOnDevice(model, variables, x, y, { classes, imageShape, weightDecay, gradientScale }),
    async dispose() {},
  }
}

/**
 * The replica worker's entry, the one place that knows where it is. From source (tsx, vitest) it is the
 * .ts beside this file. A bundled build (electron-vite: `gradientReplica` in electron.vite.config.ts)
 * emits out/main/gradientReplica.js, while this code may land in out/main/ or in a shared chunk under
 * out/main/chunks/; both are looked for. Any other bundler must emit the entry at one of those places.
 */
export function gradientReplicaEntry(): URL {
  const candidates = [new URL('./gradientReplica.js', import.meta.url), new URL('../gradientReplica.js', import.meta.url)]
  return candidates.find((url) => existsSync(fileURLToPath(url))) ?? new URL('./gradientReplica.ts', import.meta.url)
}

/**
 * tsx registers its loader per thread and workers do not inherit it, so a .ts entry is started through
 * a tiny eval bootstrap that registers tsx first. Built .js entries are started directly.
 */
function spawnWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url)
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`
  return new Worker(bootstrap, { eval: true })
}

/** One worker and its FIFO of requests awaiting replies (a replica answers in order). */
class ReplicaChannel {
  private readonly pending: { resolve: (reply: ReplicaReply) => void; reject: (error: Error) => void }[] = []
  private failure: Error | undefined
  private closing = false

  constructor(
    private readonly worker: Worker,
    private readonly label: string,
  ) {
    worker.on('message', (reply: ReplicaReply) => {
      const waiter = this.pending.shift()
      if (!waiter) return
      if (reply.type !== 'error') return waiter.resolve(reply)
      const remote = new Error(reply.message)
      if (reply.stack) remote.stack = reply.stack
      waiter.reject(new Error(`${this.label} failed: ${reply.message}`, { cause: remote }))
    })
    worker.on('error', (error) => this.fail(new Error(`${this.label} crashed: ${error.message}`, { cause: error })))
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`${this.label} exited unexpectedly (code ${code})`))
    })
  }

  private fail(error: Error): void {
    this.failure ??= error
    for (const waiter of this.pending.splice(0)) waiter.reject(error)
  }

  request(request: ReplicaRequest, transfer: ArrayBuffer[] = []): Promise<ReplicaReply> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject })
      this.worker.postMessage(request, transfer)
    })
  }

  async close(): Promise<void> {
    this.closing = true
    this.fail(new Error(`${this.label} was disposed`))
    await this.worker.terminate()
  }
}

/**
 * The batch-mean gradient from the shards' sums (this thread's, then the replicas' in order), with the
 * weight-decay term added once, here.
 */
function combineShards(variables: tf.Variable[], weightDecay: number, local: LossGradients | undefined, remote: ReplicaGradients[], size: number): GradientResult {
  let lossSum = local?.loss ?? 0
  let correct = local?.correct ?? 0
  for (const reply of remote) {
    lossSum += reply.lossSum
    correct += reply.correct
  }
  return tf.tidy(() => {
    const grads: tf.NamedTensorMap = {}
    variables.forEach((v, j) => {
      const parts = remote.map((reply) => tf.tensor(reply.grads[j], v.shape))
      if (local) parts.unshift(local.grads[v.name])
      const mean = tf.div(parts.length === 1 ? parts[0] : tf.addN(parts), size)
      grads[v.name] = weightDecay > 0 ? tf.add(mean, tf.mul(weightDecay, v)) : mean
    })
    let loss = lossSum / size
    if (weightDecay > 0) loss += (weightDecay / 2) * tf.addN(variables.map((v) => tf.sum(tf.square(v)))).dataSync()[0]
    return { loss, correct, grads }
  }) as GradientResult
}

export interface ParallelGradientOptions extends GradientEngineOptions {
  /** Model replicas in all, this thread's included: `replicas - 1` workers are started. At least 2. */
  replicas: number
  /** The worker entry; default `gradientReplicaEntry()`. Tests point it elsewhere. */
  replicaEntry?: URL
}

/**
 * Synchronous data parallelism over worker_threads. Each batch is cut into `replicas` contiguous shards;
 * every worker gets the current weights with its shard, this thread computes shard 0 meanwhile, and the
 * per-shard sums are added and divided by the batch size: the batch-mean gradient, as in one piece, up
 * to float summation order. The weight-decay term is added here, once. The workers hold no optimizer
 * state, so every optimizer, schedule and clipping works unchanged in the trainer.
 *
 * Not for models whose forward pass in training updates state (batch norm's moving statistics): each
 * shard would normalise with its own statistics, and the replicas' updates would be lost.
 * `createGradientEngine` therefore stays local for them.
 */
export async function createParallelGradientEngine(model: tfl.LayersModel, options: ParallelGradientOptions): Promise<GradientEngine> {
  const { replicas, classes, imageShape, weightDecay } = options
  if (!Number.isInteger(replicas) || replicas < 2) throw new Error(`a parallel gradient engine needs at least 2 replicas, got ${replicas}`)
  const variables = trainableVariables(model)
  const pixels = imageShape[0] * imageShape[1] * imageShape[2]
  const modelTopology = JSON.stringify(model.toJSON(null, false))
  const entry = options.replicaEntry ?? gradientReplicaEntry()
  const channels = Array.from({ length: replicas - 1 }, (_, i) => new ReplicaChannel(spawnWorker(entry), `gradient replica ${i + 1} of ${replicas - 1}`))
  const native = activeNativeKernels()
  try {
    await Promise.all(channels.map((channel) => channel.request({ type: 'init', modelTopology, classes, imageShape, nativeKernels: native != null })))
  } catch (error) {
    await Promise.all(channels.map((channel) => channel.close()))
    throw error
  }
  // This thread computes a shard too: one core each, like the replicas, until the engine is disposed.
  const threadsBefore = native?.addon.getThreads() ?? 0
  native?.addon.setThreads(1)

  let busy = false
  let disposed = false

  return {
    replicas,
    async compute(images, labels, size) {
      if (disposed) throw new Error('the parallel gradient engine was disposed')
      if (busy) throw new Error('parallel gradient engine: await the previous compute() first')
      if (images.length < size * pixels || labels.length < size) throw new Error(`a batch of ${size} needs ${size * pixels} pixel values and ${size} labels`)
      busy = true
      try {
        const bounds = Array.from({ length: replicas + 1 }, (_, i) => Math.round((i * size) / replicas))
        // Post the workers' shards first, so that they compute while this thread does shard 0.
        let weights: Float32Array[] | undefined
        const replies: Promise<ReplicaReply>[] = []
        channels.forEach((channel, i) => {
          const [lo, hi] = [bounds[i + 1], bounds[i + 2]]
          if (hi === lo) return
          // Copies (dataSync on wasm reads out of its heap); structured clone copies them again per worker.
          weights ??= model.getWeights().map((w) => w.dataSync() as Float32Array)
          const shardImages = images.slice(lo * pixels, hi * pixels)
          const shardLabels = labels.slice(lo, hi)
          replies.push(channel.request({ type: 'shard', weights, images: shardImages, labels: shardLabels, size: hi - lo }, [shardImages.buffer, shardLabels.buffer]))
        })
        let local: LossGradients | undefined
        try {
          if (bounds[1] > 0) local = lossGradients(model, variables, images.subarray(0, bounds[1] * pixels), labels.subarray(0, bounds[1]), bounds[1], { classes, imageShape, lossScale: bounds[1] })
          const remote = (await Promise.all(replies)) as ReplicaGradients[]
          return combineShards(variables, weightDecay, local, remote, size)
        } catch (error) {
          // Keep the replies in step with the requests before giving up on this batch.
          await Promise.allSettled(replies)
          throw error
        } finally {
          if (local) tf.dispose(local.grads)
        }
      } finally {
        busy = false
      }
    },
    async dispose() {
      if (disposed) return
      disposed = true
      native?.addon.setThreads(threadsBefore)
      await Promise.all(channels.map((channel) => channel.close()))
    },
  }
}

/** Models whose training-mode forward pass changes state, which replicas would each do on their own. */
function hasStatefulLayers(model: tfl.LayersModel): boolean {
  return model.layers.some((layer) => layer.getClassName() === 'BatchNormalization')
}

/**
 * The engine for a training run: parallel when asked for and worthwhile, local otherwise. Only on the
 * wasm backend, which runs one thread in Node (on wasm-blas, each replica runs the native kernels on one
 * thread instead of all of them); the other backends (tensorflow for Node, WebGL/WebGPU) use several
 * cores or a GPU on their own, and splitting batches would only add copying. Models with batch norm
 * stay local (see createParallelGradientEngine).
 */
export async function createGradientEngine(model: tfl.LayersModel, options: GradientEngineOptions & { parallelism?: number }): Promise<GradientEngine> {
  // More replicas than cores only adds copying: each wasm replica is one busy thread.
  const parallelism = Math.min(options.parallelism ?? 1, availableParallelism())
  if (parallelism > 1 && tf.getBackend() === 'wasm' && !hasStatefulLayers(model)) {
    return createParallelGradientEngine(model, { ...options, replicas: parallelism })
  }
  return createLocalGradientEngine(model, options.classes, options.imageShape, options.weightDecay)
}
