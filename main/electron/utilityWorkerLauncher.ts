import { utilityProcess } from 'electron'
import { workerEnvironment, type WorkerLauncher } from '../processes/workerLauncher'

/** Under Electron a training run is a utilityProcess: a crash or out-of-memory there cannot take the window down. */
export function createUtilityWorkerLauncher(entry: string, serviceName = 'CNN Workbench training'): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName, stdio: 'inherit', env: workerEnvironment() })
    return {
      get pid() {
        return child.pid
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', (code) => listener(code, null)),
      kill: () => {
        child.kill()
      },
    }
  }
}
