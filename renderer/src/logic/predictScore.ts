/**
 * Scoring a dropped set of images against true labels: where the labels come from (a class subfolder, a file
 * name like `7_photo.png`) and what each model made of the set (accuracy, confusion matrix). Pure, so it is
 * unit tested without a browser.
 */

/** Matches a folder or file-name token to one of the run's classes, ignoring case. */
function matchClass(token: string, classNames: readonly string[]): string | null {
  const wanted = token.trim().toLowerCase()
  if (!wanted) return null
  return classNames.find((name) => name.toLowerCase() === wanted) ?? null
}

/**
 * The true class of a dropped file, if its path says it: the folder it sits in (`digits/7/a.png`, as a
 * folder with one subfolder per class is laid out), else the start of its name up to the first `_`, `-`,
 * space or dot (`7_photo.png`, `cat-03.jpg`, `7.png`). Null when neither names one of `classNames`.
 */
export function labelFromPath(path: string, classNames: readonly string[]): string | null {
  const parts = path.split(/[\\/]/).filter(Boolean)
  const fileName = parts.pop() ?? ''
  const folder = parts.at(-1)
  const fromFolder = folder === undefined ? null : matchClass(folder, classNames)
  if (fromFolder) return fromFolder
  const prefix = fileName.split(/[_\-\s.]/)[0] ?? ''
  return matchClass(prefix, classNames)
}

export interface Scored {
  /** The true class, when known. */
  truth: string | null
  /** The model's top class, once it has answered. */
  predicted: string | null
}

export interface SetScore {
  /** Images the model has answered for. */
  answered: number
  /** Of those, images with a true label. */
  labelled: number
  correct: number
  /** correct / labelled; null without labelled answers. */
  accuracy: number | null
  /** Rows: true class; columns: predicted class; over the classes that occur (in `classNames` order). */
  confusion: { classes: string[]; counts: number[][] }
  /** How often each class came out on top, over every answered image (labelled or not), most frequent first. */
  predictedCounts: { label: string; count: number }[]
}

export function scoreSet(items: readonly Scored[], classNames: readonly string[]): SetScore {
  const answered = items.filter((item): item is { truth: string | null; predicted: string } => item.predicted !== null)
  const labelled = answered.filter((item): item is { truth: string; predicted: string } => item.truth !== null)
  const correct = labelled.filter((item) => item.truth === item.predicted).length
  const occurring = new Set(labelled.flatMap((item) => [item.truth, item.predicted]))
  // Classes outside classNames (a label typed for another run's classes) go last, so nothing is dropped.
  const classes = [...classNames.filter((name) => occurring.has(name)), ...[...occurring].filter((name) => !classNames.includes(name))]
  const index = new Map(classes.map((name, i) => [name, i]))
  const counts = classes.map(() => classes.map(() => 0))
  for (const item of labelled) counts[index.get(item.truth)!]![index.get(item.predicted)!]!++
  const tally = new Map<string, number>()
  for (const item of answered) tally.set(item.predicted, (tally.get(item.predicted) ?? 0) + 1)
  return {
    answered: answered.length,
    labelled: labelled.length,
    correct,
    accuracy: labelled.length ? correct / labelled.length : null,
    confusion: { classes, counts },
    predictedCounts: [...tally].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
  }
}
