import { loadNativeKernels, type NativeKernels } from '../../main/backends/native/nativeKernels'

/**
 * The native kernels for a test file, or why they are missing: the file then skips with the reason printed,
 * except under WORKBENCH_REQUIRE_NATIVE (CI), where a missing addon fails it.
 */
export function loadNativeKernelsForTests(suite: string): { native: NativeKernels; unavailable: undefined } | { native: undefined; unavailable: string } {
  try {
    return { native: loadNativeKernels(), unavailable: undefined }
  } catch (error) {
    const unavailable = (error as Error).message
    if (process.env.WORKBENCH_REQUIRE_NATIVE) throw new Error(`native kernels are required here (WORKBENCH_REQUIRE_NATIVE) but: ${unavailable}`)
    console.log(`skipping ${suite}: ${unavailable}`)
    return { native: undefined, unavailable }
  }
}
