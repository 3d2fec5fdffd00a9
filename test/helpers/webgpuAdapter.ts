import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

/**
 * Whether Dawn finds a WebGPU adapter here (lavapipe counts), asked in a child process so that a broken
 * driver cannot take the test process down. Without one, the caller's tests skip with the printed reason;
 * with WORKBENCH_REQUIRE_WEBGPU=1 (CI, where lavapipe is installed) they fail instead.
 */
export function webgpuAdapterUnavailable(): string | undefined {
  const probe = `import('webgpu').then(async ({ create, globals }) => {
    Object.assign(globalThis, globals)
    const adapter = await create([]).requestAdapter()
    console.log(JSON.stringify(adapter ? { description: adapter.info.description } : { none: true }))
    process.exit(0)
  }).catch((e) => { console.log(JSON.stringify({ error: String(e.message).split('\\n')[0] })); process.exit(0) })`
  let reason: string | undefined
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] })
    const found = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { description?: string; none?: boolean; error?: string }
    if (found.none) reason = 'Dawn found no WebGPU adapter (install a Vulkan driver; on Debian 12, mesa-vulkan-drivers from bookworm-backports)'
    else if (found.error) reason = `the webgpu package failed to load: ${found.error}`
    else if (!found.description) reason = 'the WebGPU adapter probe said nothing'
  } catch (error) {
    reason = `the WebGPU adapter probe failed: ${(error as Error).message.split('\n')[0]}`
  }
  if (reason && process.env.WORKBENCH_REQUIRE_WEBGPU === '1') throw new Error(`a WebGPU adapter is required here (WORKBENCH_REQUIRE_WEBGPU=1) but: ${reason}`)
  if (reason) console.log(`skipping WebGPU tests: ${reason}`)
  return reason
}
