/**
 * Our own WGSL kernels, registered over tfjs-webgpu's slow ones (Conv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter, MatMul, FusedConv2D, FusedBatchMatMul, batch norm, pooling gradients).
 * Called by the webgpu rung after the backend is created and before its self-test; must be idempotent.
 */
export function registerWebGpuKernels(): string[] {
  // Filled in by the kernel work (issue 14): returns the names of the kernels it registered.
  return []
}
