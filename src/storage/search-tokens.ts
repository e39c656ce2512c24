/**
 * Prompt tokens as the gallery search sees them, the way SQLite's FTS5 `unicode61 remove_diacritics 2` tokenizer
 * cuts them: runs of letters, digits and private-use characters, compared without case or accents. The
 * PostgreSQL driver indexes these tokens itself, so both drivers give the same answers.
 */
export function searchTokens(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter(Boolean)
}
