import * as tf from '@tensorflow/tfjs-core'

/**
 * Dynamic loss scaling for mixed precision, as PyTorch's GradScaler: the loss is multiplied by a scale so
 * that small gradients survive f16 (whose smallest normal is 6.1e-5); a step whose gradients overflowed
 * (an operand beyond 65504 becomes infinite in f16) is skipped and the scale halved; after
 * `growthInterval` good steps in a row it doubles.
 *
 * Everything happens on the device, with no read in the step: the finite check, the unscaling, the
 * skip and the scale's update are tensor operations queued behind the backward pass, and whether each
 * step was skipped is read back later with its loss (the trainer's read-behind), to be counted. A skipped
 * step is undone rather than avoided: every variable the optimizer assigned during the step (weights,
 * moments, Adam's running beta powers) is put back, by selecting its old buffer where the gradients were
 * not finite. Keeping the old buffer costs no copy: an assign gives the variable a new buffer, and the
 * step holds a reference to the old one until the select.
 */
export interface LossScalingOptions {
  initialScale: number
  growthFactor: number
  backoffFactor: number
  /** Good steps in a row before the scale grows. */
  growthInterval: number
}

/** PyTorch's GradScaler defaults. */
export const GRAD_SCALER_DEFAULTS: LossScalingOptions = { initialScale: 65536, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000 }

/** What the steps did, counted as their readings arrive. */
export interface LossScalingReport {
  skippedSteps: number
  steps: number
  /** The scale after the last step read back. */
  scale: number
}

export interface ScaledStep {
  /** Whether the step's gradients were all finite (the step was applied): bool scalar. */
  finite: tf.Scalar
  /** The scale after this step's update. */
  scale: tf.Scalar
}

let nextScalerId = 0

export class DynamicLossScaler {
  /** The current scale, on the device: the loss is multiplied by it (LossGradientOptions.gradientScale). */
  readonly scale: tf.Variable<tf.Rank.R0>
  private readonly goodSteps: tf.Variable<tf.Rank.R0>
  private readonly report: LossScalingReport

  constructor(private readonly options: LossScalingOptions = GRAD_SCALER_DEFAULTS) {
    if (!(options.initialScale > 0) || !(options.growthFactor > 1) || !(options.backoffFactor > 0 && options.backoffFactor < 1) || !(options.growthInterval >= 1)) {
      throw new Error(`loss scaling: bad options ${JSON.stringify(options)} (a positive scale, growth > 1, backoff in (0, 1), interval >= 1)`)
    }
    const id = nextScalerId++
    this.scale = tf.variable(tf.scalar(options.initialScale), false, `lossScale_${id}`)
    this.goodSteps = tf.variable(tf.scalar(0), false, `lossScaleGoodSteps_${id}`)
    this.report = { skippedSteps: 0, steps: 0, scale: options.initialScale }
  }

  /**
   * Unscales the gradients of a loss multiplied by `scale`, applies them through `apply` (which disposes
   * them), undoes what the step assigned if any gradient was not finite, and updates the scale. Disposes
   * `grads`. Returns the step's verdict and new scale as tensors, for the caller to read when it reads the loss.
   */
  step(grads: tf.NamedTensorMap, apply: (unscaled: tf.NamedTensorMap) => void): ScaledStep {
    const own = new Set([this.scale.name, this.goodSteps.name])
    const variables = () => Object.entries(tf.engine().state.registeredVariables).filter(([name]) => !own.has(name))
    // The buffer each variable holds now; clone shares it, so it outlives an assign without a copy.
    const before = new Map(variables().map(([name, v]) => [name, { dataId: v.dataId, value: tf.clone(v) }]))
    let finite: tf.Scalar
    let unscaled: tf.NamedTensorMap
    try {
      // One check over all gradients laid end to end: a few dispatches per step rather than a few per variable.
      finite = tf.tidy(() => tf.all(tf.isFinite(tf.concat(Object.values(grads).map((g) => tf.reshape(g, [-1]))))) as tf.Scalar)
      unscaled = tf.tidy(() => {
        const inverse = tf.div(1, this.scale)
        return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, inverse)]))
      })
    } finally {
      tf.dispose(grads)
    }
    try {
      apply(unscaled)
      tf.tidy(() => {
        // The verdict broadcast once per shape (a weight and its optimizer slots share one), not per select.
        const verdicts = new Map<string, tf.Tensor>()
        const verdictFor = (shape: number[]) => {
          const key = shape.join('x')
          if (!verdicts.has(key)) verdicts.set(key, tf.broadcastTo(finite, shape))
          return verdicts.get(key)!
        }
        for (const [name, v] of variables()) {
          const old = before.get(name)
          if (old && old.dataId === v.dataId) continue
          // A variable this step created is an optimizer's slot, which starts at zero (momentum, Adam, RMSProp).
          v.assign(tf.where(verdictFor(v.shape), v, old ? old.value : tf.zerosLike(v)))
        }
        this.updateScale(finite)
      })
    } catch (error) {
      finite.dispose()
      throw error
    } finally {
      tf.dispose([...before.values()].map((b) => b.value))
    }
    return { finite, scale: tf.clone(this.scale) }
  }

  /** GradScaler's update: back off on overflow, grow after `growthInterval` good steps in a row. */
  private updateScale(finite: tf.Scalar): void {
    const { growthFactor, backoffFactor, growthInterval } = this.options
    const good = tf.where(finite, tf.add(this.goodSteps, 1), tf.scalar(0))
    const grow = tf.greaterEqual(good, growthInterval)
    this.scale.assign(tf.where(finite, tf.where(grow, tf.mul(this.scale, growthFactor), this.scale), tf.mul(this.scale, backoffFactor)) as tf.Scalar)
    this.goodSteps.assign(tf.where(grow, tf.scalar(0), good) as tf.Scalar)
  }

  /** Counts a step's reading, in the order the steps ran. */
  note(finite: boolean, scale: number): void {
    this.report.steps++
    if (!finite) this.report.skippedSteps++
    this.report.scale = scale
  }

  /** Reads a step's verdict and scale back (asynchronously, as the loss is) and counts it; frees the tensors. */
  async read(step: ScaledStep): Promise<boolean> {
    try {
      const [finite, scale] = await Promise.all([step.finite.data(), step.scale.data()])
      this.note(finite[0] !== 0, scale[0])
      return finite[0] !== 0
    } finally {
      tf.dispose([step.finite, step.scale])
    }
  }

  summary(): LossScalingReport {
    return { ...this.report }
  }

  dispose(): void {
    tf.dispose([this.scale, this.goodSteps])
  }
}

/** The run's note on loss scaling, for its warnings: how many steps were skipped and where the scale ended. */
export function lossScalingNote({ skippedSteps, steps, scale }: LossScalingReport): string {
  const skipped = skippedSteps === 1 ? '1 step' : `${skippedSteps} steps`
  return `mixed precision: ${skipped} of ${steps} skipped for gradient overflow in f16; loss scale now ${scale}`
}
