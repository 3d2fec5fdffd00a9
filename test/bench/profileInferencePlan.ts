/**
 * Where one batch's prediction goes in the compiled inference plan, step by step (the plan runs on the
 * native kernels, so tf.profile does not see it):
 *   npx tsx test/bench/profileInferencePlan.ts [arch=resnet18] [batch=64]
 * ResNet-18 runs at 32x32x3 as in `npm run bench`, the others at their notes' input. Each step is timed over
 * 15 passes after 5 warm-up ones; the total is their sum.
 */
import { selectBackend } from '../../main/backends/backendLadder'
import { PlanBuilder } from '../../main/backends/native/inference/planBuilder'
import { readNodes } from '../../main/backends/native/inference/planGraph'
import { activeNativeKernels } from '../../main/backends/native/wasmBlasKernels'
import { createModel } from '../../main/engine/model/modelFactory'
import { ARCHITECTURE_IDS, getArchitecture, type ArchitectureId } from '../../shared/arch/specs'

const arch = (process.argv[2] ?? 'resnet18') as ArchitectureId
if (!ARCHITECTURE_IDS.includes(arch)) throw new Error(`unknown architecture ${arch}: one of ${ARCHITECTURE_IDS.join(', ')}`)
const batch = Number(process.argv[3] ?? 64)
await selectBackend('wasm-blas')
const native = activeNativeKernels()
if (!native) throw new Error('the wasm-blas rung is not active: build the native kernels (npm run build:native)')
const spec = arch.startsWith('resnet') ? getArchitecture(arch, { inputSize: 32, channels: 3, classes: 10 }) : getArchitecture(arch)
const model = createModel(spec, spec.input, 1)
const nodes = readNodes(model)
const builder = new PlanBuilder(nodes, model.outputs[0].sourceLayer.name, native)
const inputName = model.inputs[0].sourceLayer.name
builder.shapes.set(inputName, (model.inputs[0].shape as number[]).slice(1))
for (const node of nodes) builder.addLayer(node)
const buffers = new Map(builder.steps.map((step) => [step.output, new Float32Array(batch * step.size)]))
const { height, width, channels } = spec.input
buffers.set(inputName, Float32Array.from({ length: batch * height * width * channels }, () => Math.random()))
const spent = new Map<string, number>()
for (let pass = 0; pass < 20; pass++) {
  for (const step of builder.steps) {
    const started = performance.now()
    step.run(buffers, batch)
    if (pass >= 5) spent.set(step.output, (spent.get(step.output) ?? 0) + performance.now() - started)
  }
}
let total = 0
for (const [output, ms] of spent) {
  total += ms / 15
  console.log(`${output.padEnd(32)} ${(ms / 15).toFixed(2)} ms  ${JSON.stringify(builder.shapes.get(output))}`)
}
console.log(`${arch}, batch ${batch}: ${total.toFixed(1)} ms a batch, ${((batch / total) * 1000).toFixed(0)} images/s`)
