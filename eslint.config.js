import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import { readFileSync } from 'node:fs'

// Layering (STYLE.md): the renderer never imports main, main never imports the renderer,
// and shared/ stays pure TypeScript usable by both (no Node, no Electron).
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'url', 'worker_threads']

// Inside main/, a strict stack: each folder imports only the folders on lower rows of main/layers.json.
// Electron's API is imported in main/electron/ alone (the web and CLI adapters run without it), and the
// services that answer the window never load TensorFlow.js (models run in the worker processes).
const mainRows = JSON.parse(readFileSync(new URL('./main/layers.json', import.meta.url), 'utf8')).rows
const notRenderer = { group: ['**/renderer/**'], message: 'main must not import the renderer' }
function mainFolderRules(folder, row, { files = [`main/${folder}/**`], ignores = [], tfjs = folder !== 'services' } = {}) {
  const above = mainRows.slice(row).flat().filter((other) => other !== folder)
  const patterns = [notRenderer]
  if (above.length) {
    patterns.push({
      // shared/ may hold a folder of the same name (shared/exchange beside main/exchange): it is below everything.
      group: [...above.map((other) => `**/${other}/**`), '!**/shared/**'],
      message: `main/${folder} sits below ${above.join(', ')} (main/layers.json): move the shared part down instead`,
    })
  }
  if (!tfjs) patterns.push({ group: ['@tensorflow/*'], message: 'services answer the window: run TensorFlow.js in a worker process (training/ or predict/)' })
  const paths = folder === 'electron' ? [] : [{ name: 'electron', message: 'Electron is imported in main/electron/ only' }]
  return {
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  }
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'scratch/**', 'main/backends/native/build/**', '.gpu/**', '.gl/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', 'electron', ...nodeBuiltins], message: 'the renderer reaches main only through the typed API' }] }],
    },
  },
  {
    files: ['main/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Electron is imported in main/electron/ only' }], patterns: [notRenderer] }],
    },
  },
  ...mainRows.flatMap((folders, row) => folders.map((folder) => mainFolderRules(folder, row))),
  {
    // Units a newcomer can read at once. Kernel sources (the WGSL generators) aside: a shader is one piece.
    files: ['main/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.vue'],
    ignores: ['main/backends/webgpu/kernels/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 350, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/**', '**/renderer/**', 'electron', ...nodeBuiltins], message: 'shared/ is pure TypeScript for both processes' }] },
      ],
    },
  },
)
