import { WorkbenchError } from '../../shared/api/contract'

/** Errors the services throw on purpose, each with its API error code (the dispatcher answers with it). */

/** The feature exists only in another mode (a folder dialog in web mode, ...). */
export class UnavailableError extends WorkbenchError {
  constructor(message: string) {
    super('unavailable', message)
    this.name = 'UnavailableError'
  }
}

/** A path the user never chose (via a dialog or a drop) was asked for. */
export class PathNotGrantedError extends WorkbenchError {
  constructor(path: string) {
    super('unauthorized', `${path} was not chosen by you: choose the folder with "Choose folder…" or drop it on the window first`)
    this.name = 'PathNotGrantedError'
  }
}
