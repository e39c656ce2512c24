import { searchTokens } from "../search-tokens"
import type { ImageSearchQuery } from "../types"

/** PostgreSQL refuses lexemes of 2 KiB or more; such tokens stay out of the index and are checked by text only. */
const MAX_LEXEME_BYTES = 2046
const encoder = new TextEncoder()
const indexable = (token: string) => encoder.encode(token).length <= MAX_LEXEME_BYTES

/** The search columns written with an image row (see migration postgres/0001). */
export function searchColumns(prompt: string): { search_text: string; search_lexemes: string; search_length: number } {
  const tokens = searchTokens(prompt)
  const lexemes = [...new Set(tokens.filter(indexable))].map((t) => `'${t}'`).join(" ")
  return { search_text: ` ${tokens.join(" ")} `, search_lexemes: lexemes, search_length: tokens.length }
}

/** Positional parameters of one statement: `add` returns the placeholder of a new value. */
export class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

/** One search word as a phrase of tokens; the last word's last token may be a prefix (as FTS5's `"a b"*`). */
export interface Phrase {
  tokens: string[]
  prefix: boolean
}

export function phrases(query: ImageSearchQuery): Phrase[] {
  const words = query.words ?? []
  return words
    .map((word, i) => ({ tokens: searchTokens(word), prefix: Boolean(query.prefixLast) && i === words.length - 1 }))
    .filter((p) => p.tokens.length > 0)
}

/**
 * The condition for one phrase: the GIN index narrows by its tokens, then the token text confirms they stand
 * together in order. Tokens hold only letters and digits, so they need no escaping in LIKE or a tsquery.
 */
export function phraseCondition(phrase: Phrase, params: Params): string {
  const lexemes = phrase.tokens.filter(indexable)
  const last = phrase.tokens.at(-1)
  const query = lexemes.map((t) => `'${t}'${phrase.prefix && t === last ? ":*" : ""}`).join(" & ")
  const text = ` ${phrase.tokens.join(" ")}${phrase.prefix ? "" : " "}`
  const like = `images.search_text LIKE ${params.add(`%${text}%`)}`
  return query ? `images.search_lexemes @@ ${params.add(query)}::tsquery AND ${like}` : like
}

/**
 * A regular expression counting a phrase's occurrences in `search_text` (overlapping ones too, as FTS5 counts
 * phrase hits): each match is the space before an occurrence.
 */
export function phrasePattern(phrase: Phrase): string {
  return ` (?=${phrase.tokens.join(" ")}${phrase.prefix ? "" : " "})`
}

/** The WHERE clause of every filter of `query` (its words included). */
export function searchWhere(query: ImageSearchQuery, params: Params): string {
  const conditions = phrases(query).map((p) => `(${phraseCondition(p, params)})`)
  if (query.origin) conditions.push(`images.origin = ${params.add(query.origin)}`)
  if (query.provider !== undefined) conditions.push(`images.provider = ${params.add(query.provider)}`)
  if (query.since !== undefined) conditions.push(`images.created_epoch >= ${params.add(query.since)}`)
  if (query.until !== undefined) conditions.push(`images.created_epoch <= ${params.add(query.until)}`)
  return conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""
}

/** FTS5's bm25 constants. */
const K1 = 1.2
const B = 0.75

/** FTS5's inverse document frequency: never below a tiny positive value, so every match scores above zero. */
export function idf(total: number, hits: number): number {
  const value = Math.log((total - hits + 0.5) / (hits + 0.5))
  return value > 0 ? value : 1e-6
}

/**
 * The bm25 score of a row as FTS5 computes it for one column: per phrase, idf × tf·(k1+1) / (tf + k1·(1−b+b·len/avgdl)),
 * summed; `weights[i]` is phrase i's idf and `avgdl` the mean token count of every image.
 */
export function bm25Sql(list: Phrase[], weights: number[], avgdl: number, params: Params): string {
  const len = `images.search_length::float8 / ${params.add(avgdl || 1)}::float8`
  const terms = list.map((phrase, i) => {
    const tf = `regexp_count(images.search_text, ${params.add(phrasePattern(phrase))})::float8`
    return `${params.add(weights[i] ?? 0)}::float8 * (${tf} * ${K1 + 1}) / (${tf} + ${K1} * (${1 - B} + ${B} * ${len}))`
  })
  return terms.length ? terms.join(" + ") : "0"
}
