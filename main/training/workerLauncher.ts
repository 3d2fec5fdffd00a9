// Process launching lives in main/processes/workerLauncher.ts, below training/ and predict/ that both
// launch workers. This re-export keeps trainingSupervisor.ts compiling until it imports it from there.
export * from '../processes/workerLauncher'
