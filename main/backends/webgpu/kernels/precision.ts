/**
 * The precision our GEMM kernels compute in, set once per training process from the run's config
 * (`--precision mixed`): 'fp32' (the default and the reference) or 'mixed', f16 operands with f32
 * accumulation. Tensors stay float32 in tfjs either way (the master weights and activations); in mixed
 * precision the kernels round their operands to f16 as they stage them in workgroup memory, multiply them
 * exactly in f32 and accumulate in f32, as tensor cores do.
 */
export type KernelPrecision = 'fp32' | 'mixed'

let precision: KernelPrecision = 'fp32'

export function setKernelPrecision(value: KernelPrecision): void {
  precision = value
}

export function kernelPrecision(): KernelPrecision {
  return precision
}

/** The slice of a GPUDevice whose shader modules get their `enable` directives moved first. */
interface ShaderModuleMaker {
  createShaderModule(descriptor: { code: string; label?: string }): unknown
}

const hoisted = new WeakSet<object>()
const ENABLE_LINE = /^[ \t]*enable[ \t]+[A-Za-z0-9_, \t]+;[ \t]*$/gm

/** The shader with its `enable ...;` directives moved to the top, where WGSL requires them. */
export function hoistEnableDirectives(code: string): string {
  const directives = code.match(ENABLE_LINE)
  if (!directives) return code
  return `${[...new Set(directives.map((d) => d.trim()))].join('\n')}\n${code.replace(ENABLE_LINE, '')}`
}

/**
 * WGSL accepts `enable f16;` only before every declaration, but tfjs-webgpu's makeShader puts its own
 * declarations (structs, uniforms, bindings, helper functions) ahead of a program's getUserCode(), and
 * has no hook for directives. Its compileProgram calls `device.createShaderModule({ code })`, so the
 * backend's device gets a createShaderModule that moves the directives first; shaders without one pass
 * through unchanged (tfjs's own, and ours in fp32). Idempotent per device.
 */
export function hoistEnableDirectivesOn(device: ShaderModuleMaker): void {
  if (hoisted.has(device)) return
  hoisted.add(device)
  const create = device.createShaderModule.bind(device)
  device.createShaderModule = (descriptor) => create(descriptor.code.includes('enable ') ? { ...descriptor, code: hoistEnableDirectives(descriptor.code) } : descriptor)
}
