import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// Folder layout is ours (main/, renderer/, shared/), not electron-vite's src/ default, so every entry is named.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/electron/electronMain.ts'),
          // The training worker is a separate entry: it runs in its own process (utilityProcess.fork).
          trainingWorker: resolve(__dirname, 'main/training/trainingWorker.ts'),
          inferenceWorker: resolve(__dirname, 'main/predict/inferenceWorker.ts'),
          // Worker-thread replicas of data-parallel training (found by gradientReplicaEntry in gradientEngine.ts).
          gradientReplica: resolve(__dirname, 'main/engine/trainingLoop/parallel/gradientReplica.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { preload: resolve(__dirname, 'main/electron/preload.ts') },
        // Sandboxed preloads cannot be ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue()],
    build: {
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
})
