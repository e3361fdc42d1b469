import { UserError } from '../errors.js';

/**
 * Names that must tell things apart (providers, operations, scenarios): the first name given
 * twice is one line, `<where>: two <what> have this name`, where `where` names it.
 */
export function requireUniqueNames(names: readonly string[], what: string, where: (name: string, index: number) => string): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name)) throw new UserError(`${where(name, index)}: two ${what} have this name`);
    seen.add(name);
  });
}
