// The run store lives in main/storage/runStore.ts, below predict/ and services/ that both use it. This
// re-export keeps trainingSupervisor.ts and modelExchange.ts compiling until they import it from there.
export * from '../storage/runStore'
