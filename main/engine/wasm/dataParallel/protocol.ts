/** Messages between DataParallelTrainer (coordinator) and its replica workers. */

export interface InitRequest {
  type: 'init';
  /** Output of `model.toJSON(null, false)`: topology only, no weights. */
  modelTopology: string;
  weights: Float32Array[];
  weightShapes: number[][];
  learningRate: number;
}

export interface StepRequest {
  type: 'step';
  /** Averaged gradients of the previous step, applied before this one runs. */
  applyGrads: Float32Array[] | null;
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
}

export interface ApplyRequest {
  type: 'apply';
  grads: Float32Array[];
}

export interface GetWeightsRequest {
  type: 'getWeights';
}

export type ReplicaRequest = InitRequest | StepRequest | ApplyRequest | GetWeightsRequest;

export interface ReadyReply {
  type: 'ready';
}

export interface StepReply {
  type: 'grads';
  /** Mean-over-shard gradients, in `model.trainableWeights` order. */
  grads: Float32Array[];
  loss: number;
  /** Milliseconds spent inside tfjs for this step (for profiling the split). */
  computeMs: number;
}

export interface WeightsReply {
  type: 'weights';
  weights: Float32Array[];
}

export interface ErrorReply {
  type: 'error';
  message: string;
}

export type ReplicaReply = ReadyReply | StepReply | WeightsReply | ErrorReply;
