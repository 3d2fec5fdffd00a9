// Component tests import single-file components; tsc (unlike vue-tsc) cannot read them, so they are typed
// loosely here. Their own types are checked by vue-tsc over the renderer.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
