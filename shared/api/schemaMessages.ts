/** Validation messages in a user's words, for the Train form's fields and the CLI's training flags alike. */
import type { z } from 'zod'

/** Zod's issues in words a form field or a CLI flag can show: `Must be at most 0.5`, `Enter a number`. */
export function friendlyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'Must be a whole number'
      if (issue.expected === 'number') return 'Enter a number'
      return undefined
    case 'too_small': {
      const min = Number(issue.minimum)
      return issue.inclusive ? `Must be at least ${min}` : `Must be greater than ${min}`
    }
    case 'too_big': {
      const max = Number(issue.maximum)
      return issue.inclusive ? `Must be at most ${max}` : `Must be less than ${max}`
    }
    case 'invalid_value':
      return 'Choose one of the options'
    default:
      return undefined
  }
}
