/**
 * A one-thread-per-output-element WGSL program (optionally vec4 over the last axis) for the kernels here
 * that gather rather than reduce: pooling gradients, batch-norm's normalize and dx passes, the per-channel
 * finalize passes. Shapes are baked into `body` as constants, like the GEMMs, so one pipeline per shape.
 */
import type { WebGpuProgramLike } from './gemmProgram'

const THREADS = 256

export const elementwiseTuning = {
  /** WebGPU's guaranteed limit on workgroups per grid dimension; tests lower it to reach the folded grid on small shapes. */
  maxGridX: 65535,
}

/** A 1-D grid of `threads` threads, folded into y when it passes the per-dimension limit (tfjs's getGlobalIndex unfolds it). */
export function flatDispatch(threads: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(threads / THREADS))
  if (groups <= elementwiseTuning.maxGridX) return [groups, 1, 1]
  const rows = Math.ceil(groups / elementwiseTuning.maxGridX)
  return [Math.ceil(groups / rows), rows, 1]
}

export class ElementwiseProgram implements WebGpuProgramLike {
  outputShape: number[]
  shaderKey: string
  dispatchLayout: { x: number[] }
  dispatch: [number, number, number]
  variableComponents: number[]
  outputComponent: number
  workgroupSize: [number, number, number] = [THREADS, 1, 1]

  /**
   * `body` is WGSL run by thread `index` (< threads, already checked), writing `result[index]`; `helpers`
   * go before main. `vec4Inputs` names the inputs bound as vec4; `vec4Output` binds the result as vec4.
   */
  constructor(
    key: string,
    readonly variableNames: string[],
    outputShape: number[],
    private readonly threads: number,
    private readonly body: string,
    private readonly helpers = '',
    vec4Inputs: string[] = [],
    vec4Output = false,
  ) {
    this.outputShape = outputShape
    this.dispatchLayout = { x: outputShape.map((_, i) => i) }
    this.dispatch = flatDispatch(threads)
    this.variableComponents = variableNames.map((name) => (vec4Inputs.includes(name) ? 4 : 1))
    this.outputComponent = vec4Output ? 4 : 1
    this.shaderKey = `wb_${key}`
  }

  getUserCode(): string {
    return `
      ${this.helpers}
      fn main(index : i32) {
        // Shapes are baked in; this keeps tfjs's uniform buffer in the 'auto' bind group layout it binds.
        _ = uniforms.NAN;
        if (index >= ${this.threads}) { return; }
        ${this.body}
      }
    `
  }
}

/** A WGSL f32 literal for a finite JS number. */
export function f32Literal(value: number): string {
  const text = String(value)
  return /[.eE]/.test(text) ? text : `${text}.0`
}
