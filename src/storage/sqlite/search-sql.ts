import type { ImageSearchQuery } from "../types"

/** `INSERT … (cols) VALUES ($cols)` for a row object's keys. */
export function insertSql(table: string, columns: readonly string[], upsertKey?: string): string {
  const names = columns.join(", ")
  const values = columns.map((c) => `$${c}`).join(", ")
  const base = `INSERT INTO ${table} (${names}) VALUES (${values})`
  if (!upsertKey) return base
  const updates = columns
    .filter((c) => c !== upsertKey)
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")
  return `${base} ON CONFLICT(${upsertKey}) DO UPDATE SET ${updates}`
}

/**
 * An FTS5 query from plain words: each is a quoted string (FTS5 tokenises it as a phrase, so no word can inject
 * operators or columns), all must match, and the last may be a prefix. Control characters end an FTS5 string early,
 * so they are dropped.
 */
export function ftsMatch(words: readonly string[], prefixLast = false): string {
  const phrases = words.map((word) => `"${word.replace(/\p{Cc}/gu, " ").replaceAll('"', '""')}"`)
  return `${phrases.join(" ")}${prefixLast && phrases.length ? "*" : ""}`
}

export interface SearchSql {
  where: string
  params: Record<string, string | number>
}

/**
 * The WHERE clause for an `ImageSearchQuery` over `images`. For pages (`forPage`), `+` keeps the planner off the
 * origin index and the FTS rowid list, so it walks `created_epoch` newest first and stops at the page end instead of
 * sorting every match; counts use whichever index is narrowest.
 */
export function searchWhere(query: ImageSearchQuery, forPage: boolean): SearchSql {
  const plus = forPage ? "+" : ""
  const conditions: string[] = []
  const params: SearchSql["params"] = {}
  if (query.words?.length) {
    conditions.push(`${plus}images.seq IN (SELECT rowid FROM images_fts WHERE images_fts MATCH $match)`)
    params.match = ftsMatch(query.words, query.prefixLast)
  }
  if (query.origin) {
    conditions.push(`${plus}images.origin = $origin`)
    params.origin = query.origin
  }
  if (query.provider !== undefined) {
    conditions.push("images.provider = $provider")
    params.provider = query.provider
  }
  if (query.since !== undefined) {
    conditions.push("images.created_epoch >= $since")
    params.since = query.since
  }
  if (query.until !== undefined) {
    conditions.push("images.created_epoch <= $until")
    params.until = query.until
  }
  return { where: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params }
}
