import { computed, nextTick, reactive, ref, watch, type ComputedRef, type Ref } from 'vue'
import type { ArchitectureSummary } from '../../../shared/api/schemas'
import type { PresetId } from '../../../shared/arch/specs'
import { presetRun } from '../../../shared/run/resolveRun'
import { initialChoice } from '../logic/modelInspector'
import type { TrainFormValues } from '../logic/trainForm'
import { useTrainDraftStore } from '../stores/trainDraft'
import { read, write } from './usePersisted'

/** The data set: a built-in one, or a folder of the user's images (one subfolder per class). */
type DatasetChoice = 'mnist' | 'fashion-mnist' | 'cifar10' | 'folder'

/** What the form shows, besides its values: the preset and the data set as picked. */
interface FormChoices {
  form: TrainFormValues
  preset: Ref<PresetId>
  datasetChoice: Ref<DatasetChoice>
  datasetFolder: Ref<string>
}

interface SavedForm {
  values: TrainFormValues
  preset: PresetId
  datasetChoice: DatasetChoice
  datasetFolder: string
}

function usePresetDefaults({ form, preset }: FormChoices, selectedArch: ComputedRef<ArchitectureSummary | undefined>) {
  function fillDefaults(arch: ArchitectureSummary | undefined): void {
    if (!arch) return
    // The same resolution the server stores the run with: what the form shows is what will run.
    const resolved = presetRun(arch.id, form.dataset || 'mnist', preset.value)
    form.epochs = resolved.epochs
    form.batchSize = resolved.batchSize
    form.learningRate = resolved.learningRate
    form.inputSize = resolved.inputSize
    form.knobs = { ...resolved.knobs }
    // Optimizer, schedule and the Advanced options start blank: the preset's values, shown beside them.
    form.options = {}
  }
  const presetParams = computed(() => selectedArch.value?.presets?.find((p) => p.id === preset.value)?.params)
  function usePresetKnobs(): void {
    form.knobs = { ...selectedArch.value?.presets?.find((p) => p.id === preset.value)?.knobs }
  }
  /** Knobs that differ from the preset's (set in the Models view and handed over with "Train this"). */
  const customKnobs = computed(() => {
    if (!form.arch) return []
    // The preset's knobs with the architecture's defaults filled in, as the Models view shows them.
    const presetKnobs: Record<string, unknown> = { ...initialChoice(form.arch, preset.value).knobs }
    return Object.entries(form.knobs ?? {})
      .filter(([name, value]) => value !== presetKnobs[name])
      .map(([name, value]) => `${name} ${String(value)}`)
  })
  return { fillDefaults, presetParams, usePresetKnobs, customKnobs }
}

/**
 * Where the values come from over time: the first architecture once the list arrives, an architecture's
 * (or preset's) defaults when it changes, the last values after a reload (once their architecture is
 * listed), "Train this" from the Models view; and every change saved.
 */
function followFormSources(
  choices: FormChoices,
  architectures: () => readonly ArchitectureSummary[],
  selectedArch: ComputedRef<ArchitectureSummary | undefined>,
  fillDefaults: (arch: ArchitectureSummary | undefined) => void,
) {
  const { form, preset, datasetChoice, datasetFolder } = choices
  let pendingRestore = read<SavedForm | null>('train.form', null)
  const drafts = useTrainDraftStore()
  watch(
    architectures,
    (list) => {
      if (form.arch !== '' || list.length === 0) return
      const saved = pendingRestore && list.find((arch) => arch.id === pendingRestore!.values.arch)
      if (saved && pendingRestore) {
        preset.value = pendingRestore.preset
        datasetChoice.value = pendingRestore.datasetChoice
        datasetFolder.value = pendingRestore.datasetFolder
        form.arch = saved.id
      } else {
        pendingRestore = null
        form.arch = list[0]!.id
      }
    },
    { immediate: true },
  )
  watch(
    () => [form.arch, preset.value],
    () => {
      fillDefaults(selectedArch.value)
      if (pendingRestore && selectedArch.value) {
        Object.assign(form, pendingRestore.values, { knobs: { ...pendingRestore.values.knobs }, options: { ...pendingRestore.values.options } })
        pendingRestore = null
      }
    },
    { immediate: true },
  )
  // "Train this" from the Models view: its architecture with the preset's training defaults, then the
  // input size and knobs chosen there (after the defaults, which an architecture change brings).
  watch(
    () => [drafts.draft, architectures()] as const,
    async ([draft, list]) => {
      if (!draft || !list.some((arch) => arch.id === draft.arch)) return
      drafts.take()
      pendingRestore = null
      preset.value = draft.preset
      form.arch = draft.arch
      await nextTick()
      form.inputSize = draft.inputSize
      form.knobs = { ...draft.knobs }
    },
    { immediate: true },
  )
  watch(
    [form, preset, datasetChoice, datasetFolder],
    () => {
      if (form.arch) write('train.form', { values: form, preset: preset.value, datasetChoice: datasetChoice.value, datasetFolder: datasetFolder.value })
    },
    { deep: true },
  )
  return drafts
}

/**
 * The Train form's values and where they come from: the chosen architecture's (or preset's) defaults,
 * the last values (saved on every change, restored after a reload), and "Train this" from the Models
 * view. The form component only shows and validates them.
 */
export function useTrainFormState(props: { readonly architectures: readonly ArchitectureSummary[] }) {
  const form = reactive<TrainFormValues>({
    arch: '',
    epochs: '',
    batchSize: '',
    learningRate: '',
    limit: '',
    backend: 'auto',
    options: {},
    inputSize: '',
    knobs: {},
    dataset: 'mnist',
  })
  const datasetChoice = ref<DatasetChoice>('mnist')
  const datasetFolder = ref('')
  watch([datasetChoice, datasetFolder], ([choice, folder]) => {
    form.dataset = choice === 'folder' ? (folder.trim() ? `folder:${folder.trim()}` : '') : choice
  })
  /** The notes' setting or the smaller CPU one: input size, knobs and training defaults together. */
  const preset = ref<PresetId>('notes')
  const choices: FormChoices = { form, preset, datasetChoice, datasetFolder }
  const selectedArch = computed(() => props.architectures.find((arch) => arch.id === form.arch))
  const { fillDefaults, presetParams, usePresetKnobs, customKnobs } = usePresetDefaults(choices, selectedArch)
  const drafts = followFormSources(choices, () => props.architectures, selectedArch, fillDefaults)
  return { form, datasetChoice, datasetFolder, preset, selectedArch, presetParams, usePresetKnobs, customKnobs, drafts }
}
