/** The two Electron IPC channels; kept free of imports so the sandboxed preload stays tiny. */
export const IPC_CALL_CHANNEL = 'workbench:call'
export const IPC_EVENT_CHANNEL = 'workbench:event'
