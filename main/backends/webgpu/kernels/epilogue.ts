/**
 * Bias and activation applied where a GEMM's result is written, as tfjs's fused ops define them
 * (same formulas as tfjs-backend-cpu, so results match the reference). PReLU (a tensor of weights)
 * is not fused here: the kernels hand such calls back to tfjs's own kernel.
 */
export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'leakyrelu' | 'sigmoid'

export interface Epilogue {
  bias: boolean
  activation: FusedActivation
  leakyreluAlpha: number
  key: string
}

const SUPPORTED = new Set<string>(['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'])

/** The epilogue for a fused op's attributes, or null when it has to run on tfjs's kernel. */
export function makeEpilogue(bias: boolean, activation: string | null | undefined, leakyreluAlpha: number | undefined, hasPreluWeights: boolean): Epilogue | null {
  const act = activation ?? 'linear'
  if (hasPreluWeights || !SUPPORTED.has(act)) return null
  const alpha = leakyreluAlpha ?? 0.2
  if (!Number.isFinite(alpha)) return null
  return { bias, activation: act as FusedActivation, leakyreluAlpha: alpha, key: `${bias ? 'bias_' : ''}${act}${act === 'leakyrelu' ? alpha : ''}` }
}

export const NO_EPILOGUE: Epilogue = { bias: false, activation: 'linear', leakyreluAlpha: 0, key: 'linear' }

function expression(epilogue: Epilogue, t: string): string {
  switch (epilogue.activation) {
    case 'linear':
      return 'x'
    case 'relu':
      return `max(x, ${t}(0.0))`
    case 'relu6':
      return `clamp(x, ${t}(0.0), ${t}(6.0))`
    case 'elu':
      return `select(exp(x) - ${t}(1.0), x, x >= ${t}(0.0))`
    case 'leakyrelu':
      return `select(${t}(${literal(epilogue.leakyreluAlpha)}) * x, x, x >= ${t}(0.0))`
    case 'sigmoid':
      return `${t}(1.0) / (${t}(1.0) + exp(-x))`
  }
}

function literal(value: number): string {
  const text = String(value)
  return /[.eE]/.test(text) ? text : `${text}.0`
}

/** `activate_s(f32)` and `activate_v(vec4<f32>)`. */
export function activationSnippet(epilogue: Epilogue): string {
  return `
    fn activate_s(x : f32) -> f32 { return ${expression(epilogue, 'f32')}; }
    fn activate_v(x : vec4<f32>) -> vec4<f32> { return ${expression(epilogue, 'vec4<f32>')}; }
  `
}
