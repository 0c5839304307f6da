/** A dot between a letter, digit, `_` or `-` and two letters: `example.com`, `a@b.co`, `setup.py`. */
const DOMAIN = /[\p{L}\p{N}_-]\.\p{L}{2,}/u;
const WWW = /www\./i;

/**
 * Makes words that chat clients would turn into links (`https://…`, `www.…`, `name.tld`, e-mail addresses) inert:
 * in such a word every `.` becomes `․` (U+2024 ONE DOT LEADER) and every `/` becomes `∕` (U+2215 DIVISION SLASH),
 * which read the same. Other words are left as they are, so ids and references stay exactly copyable. Linear: each
 * test is a substring search or a pattern that cannot backtrack.
 */
export function inertLinks(text: string): string {
  return text.replace(/\S+/g, (word) =>
    word.includes('://') || WWW.test(word) || DOMAIN.test(word) ? word.replace(/\./g, '\u2024').replace(/\//g, '\u2215') : word,
  );
}
