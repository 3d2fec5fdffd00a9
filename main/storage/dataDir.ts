import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * Where runs, checkpoints and downloads live when not under Electron (which passes app.getPath('userData')).
 * WORKBENCH_DATA_DIR overrides it: tests and headless boxes point it elsewhere.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.WORKBENCH_DATA_DIR) return env.WORKBENCH_DATA_DIR
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'CNN Workbench')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'CNN Workbench')
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'cnn-workbench')
}

/** The data folder a run folder (`<dataDir>/runs/<runId>`) lives in: where the worker finds the data set cache. */
export function dataDirOfRunDir(runDir: string): string {
  return dirname(dirname(runDir))
}
