import { EXPORT_FORMATS, RUN_STATUS_INFO, type ExportFormat, type RunSummary } from '../../../shared/api/schemas'

/** One choice in the export dialog: the format the API takes, its name, and what it is for. */
export interface ExportFormatChoice {
  format: ExportFormat
  label: string
  purpose: string
}

// Keyed by the schema's list, so a fourth format in EXPORT_FORMATS fails to compile until it is described here.
const FORMAT_TEXT: Record<ExportFormat, Omit<ExportFormatChoice, 'format'>> = {
  tfjs: { label: 'TensorFlow.js', purpose: 'Load it in a web page, or import it back into the workbench.' },
  onnx: { label: 'ONNX', purpose: 'Run it in ONNX Runtime, view it in Netron, or deploy it.' },
  pytorch: { label: 'PyTorch', purpose: 'model.py in the style of the course notes, with the trained weights in weights.npz.' },
}

/** The export formats in the schema's order, each with its name and use. */
export const EXPORT_FORMAT_CHOICES: readonly ExportFormatChoice[] = EXPORT_FORMATS.map((format) => ({ format, ...FORMAT_TEXT[format] }))

/** Whether a run has a trained model to export (a failed or running run has none). */
export function canExport(run: RunSummary): boolean {
  return RUN_STATUS_INFO[run.status].hasModel
}

/** The CLI command that exports this run where the browser cannot write files (web mode). */
export function exportCliCommand(runId: string, format: ExportFormat = 'onnx'): string {
  return `npm run cli -- export ${runId} <folder> --format ${format}`
}

/** The Runs view's line under the table in web mode, where the browser cannot be given a folder. */
export const EXPORT_WEB_HINT = `Export needs the desktop app; in a terminal: ${exportCliCommand('<runId>')}`

/** Why Export is disabled for this run, or undefined when it can be used here. */
export function exportBlockedReason(run: RunSummary, webMode: boolean): string | undefined {
  if (!canExport(run)) return 'This run has no trained model to export'
  if (webMode) return `Export needs the desktop app, or run: ${exportCliCommand(run.runId)}`
  return undefined
}
