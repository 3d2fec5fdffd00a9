import { arch, cpus, platform, totalmem } from 'node:os'
import { ARCHITECTURE_IDS, getArchitecture, PRESET_IDS } from '../../shared/arch/specs'
import { analyzeModel } from '../../shared/arch/layerMath'
import type { ApiHandlers, ServiceSet } from './apiHandlerTypes'
import type { ProcessQueue } from './processQueue'
import { diagnoseSystem } from './systemDoctor'
import { UnavailableError } from './serviceErrors'

type SystemMethods = 'system.info' | 'system.doctor' | 'arch.list' | 'pool.status' | 'files.chooseFolder'

/** What this workbench is and runs on: the machine, the architectures, the pool, the desktop's folder dialog. */
export function createSystemHandlers(services: Pick<ServiceSet, 'mode' | 'version' | 'launchWorker' | 'pool' | 'chooseFolder'>, spawning: ProcessQueue): Pick<ApiHandlers, SystemMethods> {
  return {
    'system.info': async () => ({
      mode: services.mode,
      version: services.version,
      platform: `${platform()} ${arch()}`,
      cpus: cpus().length,
      totalMemoryBytes: totalmem(),
    }),
    'system.doctor': () => spawning.run('system.doctor', () => diagnoseSystem(services.launchWorker)),
    'arch.list': async () => listArchitectures(),
    'pool.status': async () => (services.pool ? services.pool.status() : { connected: false, workers: [] }),
    'files.chooseFolder': async () => {
      if (!services.chooseFolder) {
        throw new UnavailableError(
          'Choosing a folder needs the desktop app: in web mode the workbench runs as a server that cannot open a dialog on your screen.',
        )
      }
      return { path: await services.chooseFolder() }
    },
  }
}

function listArchitectures(): Awaited<ReturnType<ApiHandlers['arch.list']>> {
  return ARCHITECTURE_IDS.map((id) => {
    const spec = getArchitecture(id)
    return {
      id,
      name: spec.name,
      description: spec.description,
      params: analyzeModel(spec, spec.input).totalParams,
      inputShape: [spec.input.height, spec.input.width, spec.input.channels] as [number, number, number],
      presets: PRESET_IDS.map((presetId) => {
        const preset = spec.presets[presetId]
        const built = getArchitecture(id, { inputSize: preset.inputSize, knobs: preset.knobs })
        return { ...preset, params: analyzeModel(built, built.input).totalParams }
      }),
    }
  })
}
