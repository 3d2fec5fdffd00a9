import type { Component } from 'vue'
import CompareView from './CompareView.vue'
import DataView from './DataView.vue'
import InspectView from './InspectView.vue'
import LessonsView from './LessonsView.vue'
import ModelsView from './ModelsView.vue'
import PredictView from './PredictView.vue'
import RunsView from './RunsView.vue'
import SystemView from './SystemView.vue'
import TrainView from './TrainView.vue'

/**
 * Every top-level view, in nav order: adding a view is one entry here. `id` is also the URL hash
 * (`#/predict`) and the nav button's test id (`nav-predict`).
 */
export const VIEWS = [
  // First, so a newcomer sees where to start.
  { id: 'lessons', label: 'Lessons', hint: 'Start here: the notes, run by run', title: 'Lessons from the course notes', component: LessonsView },
  { id: 'models', label: 'Models', hint: 'Inspect and change architectures', title: 'Model zoo', component: ModelsView },
  { id: 'data', label: 'Data', hint: 'Samples, classes, augmentation', title: 'Data', component: DataView },
  { id: 'train', label: 'Train', hint: 'Configure and watch a run', title: 'Train a network', component: TrainView },
  { id: 'runs', label: 'Runs', hint: 'Search, rename, tag, delete', title: 'Runs', component: RunsView },
  { id: 'compare', label: 'Compare', hint: 'Runs side by side', title: 'Compare runs', component: CompareView },
  { id: 'predict', label: 'Predict', hint: 'Classify your own images', title: 'Predict', component: PredictView },
  { id: 'inspect', label: 'Inspect', hint: 'Feature maps, filters, saliency', title: 'Inspect a network', component: InspectView },
  { id: 'system', label: 'System', hint: 'Hardware and backends', title: 'System', component: SystemView },
] as const satisfies readonly { id: string; label: string; hint: string; title: string; component: Component }[]

export type ViewId = (typeof VIEWS)[number]['id']
export const VIEW_IDS = VIEWS.map((v) => v.id) as ViewId[]
