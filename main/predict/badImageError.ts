import { WorkbenchError } from '../../shared/api/contract'

/**
 * An image that cannot be predicted on (unreadable, blank, a run without a model). Its own module, so the
 * window's process can recognise it in a worker's reply without loading the image decoder.
 */
export class BadImageError extends WorkbenchError {
  constructor(message: string) {
    super('bad-input', message)
    this.name = 'BadImageError'
  }
}
