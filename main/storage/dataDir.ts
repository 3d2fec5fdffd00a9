import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { environment } from '../config/environment'

/**
 * Where runs, checkpoints and downloads live when not under Electron (which passes app.getPath('userData')).
 * WORKBENCH_DATA_DIR overrides it: tests and headless boxes point it elsewhere.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const given = environment('WORKBENCH_DATA_DIR', env)
  if (given) return given
  if (platform === 'win32') return join(environment('APPDATA', env) ?? join(homedir(), 'AppData', 'Roaming'), 'CNN Workbench')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'CNN Workbench')
  return join(environment('XDG_DATA_HOME', env) ?? join(homedir(), '.local', 'share'), 'cnn-workbench')
}

/** The data folder a run folder (`<dataDir>/runs/<runId>`) lives in: where the worker finds the data set cache. */
export function dataDirOfRunDir(runDir: string): string {
  return dirname(dirname(runDir))
}
