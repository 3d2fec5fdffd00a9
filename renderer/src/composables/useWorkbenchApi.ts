// The window's WorkbenchApi is provided and injected in api/workbenchApi.ts, below the stores and the
// composables that both use it; this re-export keeps the components' imports working.
export { useWorkbenchApi, workbenchApiKey } from '../api/workbenchApi'
