/**
 * The one normal form of an email address in guildkit: surrounding whitespace trimmed and ASCII letters
 * lower-cased — nothing else. Unicode case folding is deliberately not applied: it maps distinct
 * addresses onto one (`"\u212Aelly@example.test"`, with a Kelvin sign, would become
 * `"kelly@example.test"`), and databases fold differently (Postgres `lower()` folds Unicode, SQLite's
 * only ASCII). Stores compare the stored address lower-cased the same way (ASCII letters only).
 */
export function normalizeEmail(email: string): string {
  return email.trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * True when the address is all ASCII. Only such an address is ever matched to a member by email: a
 * verified address with any other character goes to signup instead (it cannot be told apart reliably
 * from a look-alike of another member's address).
 */
export function isAsciiEmail(email: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, by definition
  return /^[\x00-\x7f]*$/.test(email);
}
