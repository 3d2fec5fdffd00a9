import './zodConfig'
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { connectWorkbench } from './api'
import { workbenchApiKey } from './composables/useWorkbenchApi'
import './styles/main.css'

const app = createApp(App)
// Provided before Pinia is installed so setup stores can inject the API too.
app.provide(workbenchApiKey, connectWorkbench())
app.use(createPinia())
app.mount('#app')
