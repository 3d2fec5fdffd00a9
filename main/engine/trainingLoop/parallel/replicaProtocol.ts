/** Messages between the parallel gradient engine (coordinator thread) and its replica workers. */

export interface ReplicaInit {
  type: 'init'
  /** `model.toJSON(null, false)`: the topology only; the weights come with every shard. */
  modelTopology: string
  classes: number
  /** [height, width, channels] of the images sent (the replica resizes to the model's input, as the trainer does). */
  imageShape: [number, number, number]
  /** Use the native BLAS kernels (the coordinator runs on the wasm-blas rung), one thread per replica. */
  nativeKernels: boolean
}

export interface ReplicaShard {
  type: 'shard'
  /** The coordinator's current weights, in `model.getWeights()` order. */
  weights: Float32Array[]
  images: Float32Array
  labels: Int32Array
  size: number
}

export type ReplicaRequest = ReplicaInit | ReplicaShard

export interface ReplicaReady {
  type: 'ready'
}

export interface ReplicaGradients {
  type: 'grads'
  /** Cross-entropy summed over the shard. */
  lossSum: number
  correct: number
  /** Gradients of lossSum, in `model.trainableWeights` order. */
  grads: Float32Array[]
}

export interface ReplicaError {
  type: 'error'
  message: string
  stack?: string
}

export type ReplicaReply = ReplicaReady | ReplicaGradients | ReplicaError
