/** The two Electron IPC channels; kept free of imports so the sandboxed preload stays tiny. */
export const IPC_CALL_CHANNEL = 'workbench:call'
export const IPC_EVENT_CHANNEL = 'workbench:event'
/** Paths of files and folders the user dropped on the window (sent by the preload, never by the page). */
export const IPC_DROP_CHANNEL = 'workbench:dropped-paths'
