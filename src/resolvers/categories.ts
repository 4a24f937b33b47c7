import { BadUserInputError } from '../errors.js';

const folded = (category: string) => category.normalize('NFC').toLowerCase();

/**
 * A category argument as the catalogue spells it: compared without regard to case, every spelling
 * that matches; a category the catalogue does not have is bad input rather than an empty answer.
 */
export function catalogueCategory(argument: string, wanted: string, catalogue: readonly string[]): string[] {
  const matches = catalogue.filter((category) => folded(category) === folded(wanted));
  if (matches.length === 0) throw new BadUserInputError(`\`${argument}\`: the catalogue has no category "${wanted}".`, { argument });
  return matches;
}
