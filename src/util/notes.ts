/**
 * Notes for the user that are not errors (a guide's option name read as Stampede's): collected
 * where they arise, deep in validation, and printed by whoever owns the output (the CLI on stderr,
 * the library through its logger). Each distinct note once.
 */
const pending: string[] = [];

export function note(text: string): void {
  if (!pending.includes(text)) pending.push(text);
}

/** The notes since the last call, in order. */
export function takeNotes(): string[] {
  return pending.splice(0);
}
