import { type ImageRecord, type ImageSearchQuery, type ImageStore, type Origin, searchTokens } from "@/storage"
import { InvalidArgumentError } from "../errors"
import { parseIsoTimestamp } from "../time"

export const SEARCH_DEFAULT_LIMIT = 20
export const SEARCH_MAX_LIMIT = 100
const DAY_SECONDS = 86_400

export interface SearchInput {
  query: string
  provider?: string
  origin?: Origin | "all"
  /** ISO date (whole day, UTC) or timestamp; inclusive. */
  since?: string
  until?: string
  limit?: number
  order?: "newest" | "relevance"
}

export interface SearchResult {
  /** Every match, not just the ones returned. */
  total: number
  records: ImageRecord[]
}

/**
 * The words of a search: whitespace-separated chunks that hold a letter or digit. Each is matched as a phrase
 * ("sd_webui" finds "sd webui"), all must match, and the last one also matches longer words it begins.
 */
export function searchWords(query: string): string[] {
  return query
    .replace(/\p{Cc}/gu, " ")
    .split(/\s+/u)
    .filter((chunk) => /[\p{L}\p{N}]/u.test(chunk))
}

/** The query's words; a query without any is refused. */
export function requireWords(query: string): string[] {
  const words = searchWords(query)
  if (!words.length) {
    throw new InvalidArgumentError(`query must contain at least one word (letters or digits); got '${query}'.`)
  }
  return words
}

/** Search over prompts with filters: newest first, or best match first. */
export async function searchImages(store: ImageStore, input: SearchInput): Promise<SearchResult> {
  const words = requireWords(input.query)
  const limit = input.limit ?? SEARCH_DEFAULT_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) {
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}; got ${limit}.`)
  }
  const query: ImageSearchQuery = {
    words,
    prefixLast: true,
    origin: input.origin === "all" ? undefined : input.origin,
    provider: input.provider || undefined,
    ...dateRange(input.since, input.until),
    order: input.order,
  }
  const [total, records] = await Promise.all([store.countMatching(query), store.search({ ...query, limit })])
  return { total, records }
}

/** `since`/`until` as inclusive epoch bounds; a date alone means its whole day (UTC). */
export function dateRange(since?: string, until?: string): { since?: number; until?: number } {
  const from = since ? parseDateBound("since", since) : undefined
  const to = until ? parseDateBound("until", until) : undefined
  if (from !== undefined && to !== undefined && from > to) {
    throw new InvalidArgumentError(`since (${since}) is later than until (${until}).`)
  }
  return { since: from, until: to }
}

function parseDateBound(name: "since" | "until", text: string): number {
  const trimmed = text.trim()
  const day = trimmed.match(/^(\d{4})-(\d{2})-(\d{2})$/)
  if (day) {
    const ms = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))
    if (new Date(ms).toISOString().slice(0, 10) === trimmed) {
      return name === "since" ? ms / 1000 : ms / 1000 + DAY_SECONDS - 1e-6
    }
  }
  const epoch = day ? undefined : parseIsoTimestamp(trimmed)
  if (epoch === undefined || !sameCalendarDate(trimmed, epoch)) {
    throw new InvalidArgumentError(
      `${name} must be an ISO-8601 date (2026-03-24) or timestamp (2026-03-24T10:00:00Z); got '${text}'.`,
    )
  }
  return epoch
}

/** Date.parse rolls 2026-02-30 over to March; a real date keeps its day (checked without the zone offset). */
function sameCalendarDate(text: string, epoch: number): boolean {
  const offset = text.match(/([+-])(\d{2}):?(\d{2})$/)
  const shift = offset ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60) : 0
  return new Date((epoch + shift) * 1000).toISOString().slice(0, 10) === text.slice(0, 10)
}

/**
 * The same test in memory, for prompts that are not in the index (running generations): case and accents are
 * ignored, each word's tokens must appear in order, and the last token of the last word may be a prefix.
 */
export function promptMatches(prompt: string, words: readonly string[]): boolean {
  const tokens = searchTokens(prompt)
  return words.every((word, index) => {
    const phrase = searchTokens(word)
    const prefix = index === words.length - 1
    return tokens.some((_, start) =>
      phrase.every((part, i) => sameToken(tokens[start + i], part, prefix && i === phrase.length - 1)),
    )
  })
}

function sameToken(token: string | undefined, part: string, prefix: boolean): boolean {
  if (token === undefined) return false
  return prefix ? token.startsWith(part) : token === part
}
