import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Component tests render single-file components on the server (vue/server-renderer): no DOM needed.
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    // Training and browser tests each want a whole core; more workers only make them slower here.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/helpers/summaryReporter.ts'],
  },
})
