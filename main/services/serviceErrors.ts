/** Errors the services throw on purpose; the dispatcher turns each into its API error code. */

/** The feature exists only in another mode (a folder dialog in web mode, ...). */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnavailableError'
  }
}

/** A path the user never chose (via a dialog or a drop) was asked for. */
export class PathNotGrantedError extends Error {
  constructor(path: string) {
    super(`${path} was not chosen by you: choose the folder with "Choose folder…" or drop it on the window first`)
    this.name = 'PathNotGrantedError'
  }
}
