/**
 * The one resolution of a run: what a user asked for (the Train form, the CLI, the API, a lesson, a pool
 * job) becomes the run's complete settings here and nowhere else. The preset (the notes' recipe unless
 * the request names the CPU one) fills what the request leaves out: input size, knobs, epochs, batch size,
 * learning rate, optimizer and schedule. Before this existed the form sent no optimizer with the CPU
 * preset and the server filled in the notes' `sgd`, so AlexNet, VGG, GoogLeNet and ResNet "CPU" runs
 * started from the app silently lost their momentum.
 */
import { z } from 'zod'
import { TrainConfig, TrainRequest, type TrainRequestInput } from '../api/schemas'
import { getArchitecture, type ArchPreset, type PresetId } from '../arch/specs'

/** The preset a request resolves from: the one it names, else the notes' recipe. */
export function presetOf(request: Pick<TrainRequestInput, 'arch' | 'preset'>): ArchPreset {
  return getArchitecture(request.arch).presets[request.preset ?? 'notes']
}

/** A run's complete settings: what resolveRun returns, with nothing left to a default elsewhere. */
export type ResolvedRun = TrainConfig & Required<Pick<TrainConfig, 'preset' | 'inputSize' | 'optimizer' | 'lrSchedule'>>

function fillFromPreset(request: TrainRequest): ResolvedRun {
  const preset = presetOf(request)
  const training = preset.training
  const knobs = { ...preset.knobs, ...request.knobs }
  const { knobs: _given, ...rest } = request
  return TrainConfig.parse({
    ...rest,
    preset: preset.id,
    inputSize: request.inputSize ?? preset.inputSize,
    ...(Object.keys(knobs).length > 0 ? { knobs } : {}),
    epochs: request.epochs ?? training.epochs,
    batchSize: request.batchSize ?? training.batchSize,
    learningRate: request.learningRate ?? training.learningRate,
    optimizer: request.optimizer ?? training.optimizer,
    lrSchedule: request.lrSchedule ?? training.lrSchedule ?? 'constant',
  }) as ResolvedRun
}

export type ResolveResult = { success: true; data: ResolvedRun } | { success: false; error: z.ZodError }

/** Like `resolveRun`, for callers that show validation errors instead of throwing them. */
export function safeResolveRun(request: unknown): ResolveResult {
  const parsed = TrainRequest.safeParse(request)
  if (!parsed.success) return { success: false, error: parsed.error }
  return { success: true, data: fillFromPreset(parsed.data) }
}

/**
 * The complete settings of a run. Idempotent: a resolved config (a stored run.json, a resumed run, a
 * job handed to a pool worker) resolves to itself; a run stored before presets were recorded resolves
 * from the notes' recipe, as it was trained.
 */
export function resolveRun(request: TrainRequestInput): ResolvedRun {
  return fillFromPreset(TrainRequest.parse(request))
}

/** The settings a run of this architecture and data set gets when nothing else is asked for. */
export function presetRun(arch: TrainRequestInput['arch'], dataset: string, preset: PresetId = 'notes'): ResolvedRun {
  return resolveRun({ arch, dataset, preset })
}
