import { DATASET_IDS, FOLDER_DATASET_PREFIX, type RunSummary, type TrainConfig } from './api/schemas'
import { flattenConfig } from './configDiff'
import { settingInName } from './run/configLabels'
import { presetRun, resolveRun } from './run/resolveRun'

/** How many differing settings a default name lists before it says `+N more`. */
const MAX_NAMED_SETTINGS = 4

/** The settings a run would have had if only its architecture, data set and preset were chosen. */
function defaultConfig(config: TrainConfig): TrainConfig {
  return presetRun(config.arch, config.dataset, config.preset ?? 'notes')
}

/** Most telling first: what users change most, then the rest in the config's order. */
const FIELD_ORDER = ['learningRate', 'batchSize', 'optimizer', 'lrSchedule', 'epochs', 'limit', 'inputSize']

/** A data set in a name: its id, or a folder's last path segment. */
export function datasetShortName(dataset: string): string {
  if ((DATASET_IDS as readonly string[]).includes(dataset) || !dataset.startsWith(FOLDER_DATASET_PREFIX)) return dataset
  const path = dataset.slice(FOLDER_DATASET_PREFIX.length).replace(/[\\/]+$/, '')
  return path.split(/[\\/]/).at(-1) || path
}

/**
 * A run's default name: architecture · data set · the settings that differ from the architecture's
 * defaults (`lenet-relu · mnist · lr 0.02 · 2000 images`).
 */
export function defaultRunName(config: TrainConfig): string {
  // Resolved first, so that a run stored before presets were recorded reads as the notes' run it was.
  const resolved = resolveRun(config)
  const given = flattenConfig(resolved)
  const usual = flattenConfig(defaultConfig(resolved))
  const fields = [...new Set([...Object.keys(given), ...Object.keys(usual)])].filter(
    (field) => !['arch', 'dataset', 'preset'].includes(field) && given[field] !== usual[field] && !(field.startsWith('augment.') && !given[field]),
  )
  const rank = (field: string) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length)
  fields.sort((a, b) => rank(a) - rank(b))
  const settings = fields.slice(0, MAX_NAMED_SETTINGS).map((field) => settingInName(field, given[field]))
  if (fields.length > MAX_NAMED_SETTINGS) settings.push(`+${fields.length - MAX_NAMED_SETTINGS} more`)
  const preset = resolved.preset === 'notes' ? [] : [`${resolved.preset} preset`]
  return [config.arch, ...preset, datasetShortName(config.dataset), ...settings].join(' · ')
}

/** The name to show for a run everywhere (pickers, legends, lists): the user's name, else the default one. */
export function runDisplayName(run: Pick<RunSummary, 'name' | 'config'>): string {
  return run.name?.trim() || defaultRunName(run.config)
}
