import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ArchKnobsInput, AugmentConfig } from '../../../shared/api/schemas'
import type { ArchitectureId, PresetId } from '../../../shared/arch/specs'

export interface TrainDraft {
  arch: ArchitectureId
  inputSize: number
  knobs: ArchKnobsInput
  /** The preset whose training defaults (epochs, batch size, learning rate) go with it. */
  preset: PresetId
}

/**
 * A network handed from the Models view to the Train form ("Train this"): the form takes it once,
 * architecture, input size and knobs as configured there.
 */
export const useTrainDraftStore = defineStore('trainDraft', () => {
  const draft = ref<TrainDraft | null>(null)
  /** The augmentation chosen in the Data view for the next runs; null: none. Kept until removed in the Train form. */
  const augment = ref<AugmentConfig | null>(null)

  function useAugment(next: AugmentConfig | null): void {
    augment.value = next
    if (next && window.location.hash !== '#/train') window.location.hash = '#/train'
  }

  function send(next: TrainDraft): void {
    draft.value = next
    if (window.location.hash !== '#/train') window.location.hash = '#/train'
  }

  function take(): TrainDraft | null {
    const taken = draft.value
    draft.value = null
    return taken
  }

  return { draft, send, take, augment, useAugment }
})
