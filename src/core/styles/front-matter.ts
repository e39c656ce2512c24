/**
 * The style files' front-matter: a flat `key: value` subset of YAML, parsed exactly as the reference server does
 * (Python string semantics for line splitting, whitespace stripping and `str()` of lists).
 */

export type FrontMatterValue = string | string[] | null

/** Fields of a style file; `name` is the style's identity, whatever the file is called. */
export interface StyleFields {
  name: string
  tags: string[]
  provider: string | null
  aspectRatio: string | null
  quality: string | null
  /** The text after the front-matter, stripped. */
  body: string
}

export type ParsedStyle = { ok: true; style: StyleFields } | { ok: false; problem: string }

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?\r?\n)---[ \t]*\r?\n?([\s\S]*)$/
// Python's str.splitlines() boundaries and str.isspace() characters.
const LINE_BREAKS = new Set(["\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
const SPACES = new Set([..." \t\n\v\f\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"])
for (let code = 0x2000; code <= 0x200a; code++) SPACES.add(String.fromCharCode(code))

/** Python's `str.strip()`, whose whitespace differs a little from `String.prototype.trim()`. */
export function pyStrip(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && SPACES.has(text[start] ?? "")) start++
  while (end > start && SPACES.has(text[end - 1] ?? "")) end--
  return text.slice(start, end)
}

/** Python's `str.splitlines()`: `\r\n`, `\n`, `\r` and a few rarer separators end a line; no trailing empty line. */
export function pyLines(text: string): string[] {
  const lines: string[] = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? ""
    if (!LINE_BREAKS.has(ch)) continue
    lines.push(text.slice(start, i))
    if (ch === "\r" && text[i + 1] === "\n") i++
    start = i + 1
  }
  if (start < text.length) lines.push(text.slice(start))
  return lines
}

export function hasLineBreak(text: string): boolean {
  for (const ch of text) if (LINE_BREAKS.has(ch)) return true
  return false
}

/** One value: empty/`null`/`~` → null, `[a, "b, c"]` → list, `"x"`/`'x'` → x, anything else verbatim. */
export function parseValue(input: string): FrontMatterValue {
  const raw = pyStrip(input)
  if (raw === "" || raw === "null" || raw === "~") return null
  if (raw.startsWith("[") && raw.endsWith("]")) return parseInlineList(raw.slice(1, -1))
  const first = raw[0]
  if (raw.length >= 2 && (first === '"' || first === "'") && raw.endsWith(first)) return raw.slice(1, -1)
  return raw
}

function parseInlineList(inner: string): string[] {
  const items: string[] = []
  let current = ""
  let quote: string | undefined
  const flush = () => {
    const token = pyStrip(current)
    if (token) items.push(token)
    current = ""
  }
  for (const ch of inner) {
    if (quote) {
      if (ch === quote) quote = undefined
      else current += ch
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === ",") flush()
    else current += ch
  }
  flush()
  return items
}

/** Every `key: value` line; blank lines, `#` comments and lines without a key are skipped; a later key wins. */
export function parseFrontMatter(text: string): Map<string, FrontMatterValue> {
  const result = new Map<string, FrontMatterValue>()
  for (const rawLine of pyLines(text)) {
    const line = pyStrip(rawLine)
    if (!line || line.startsWith("#")) continue
    const colon = line.indexOf(":")
    if (colon < 1) continue
    result.set(pyStrip(line.slice(0, colon)), parseValue(line.slice(colon + 1)))
  }
  return result
}

/** A whole style file: front-matter between `---` lines, then the body. */
export function parseStyleText(text: string): ParsedStyle {
  const match = FRONT_MATTER.exec(text)
  if (!match) return { ok: false, problem: "it does not start with a --- front-matter block" }
  const fields = parseFrontMatter(match[1] ?? "")
  const name = fields.get("name")
  if (typeof name !== "string" || !name) return { ok: false, problem: "its front-matter has no name" }
  const tags = fields.get("tags")
  const provider = fields.get("provider")
  return {
    ok: true,
    style: {
      name,
      tags: Array.isArray(tags) ? tags : typeof tags === "string" ? [tags] : [],
      provider: typeof provider === "string" ? provider : null,
      aspectRatio: pyStr(fields.get("aspect_ratio")),
      quality: pyStr(fields.get("quality")),
      body: pyStrip(match[2] ?? ""),
    },
  }
}

/** The first non-blank line of a body, stripped (the `description` in `style://list`). */
export function firstLine(body: string): string {
  for (const line of pyLines(body)) {
    const stripped = pyStrip(line)
    if (stripped) return stripped
  }
  return ""
}

/** Python's `str()`: a list (e.g. `aspect_ratio: [16, 9]`) becomes `['16', '9']`. */
function pyStr(value: FrontMatterValue | undefined): string | null {
  if (value === undefined || value === null) return null
  return Array.isArray(value) ? `[${value.map(pyRepr).join(", ")}]` : value
}

const NON_PRINTABLE = /[\\\t\n\r]|(?! )[\p{C}\p{Z}]/gu
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" }

function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  const escaped = text.replace(NON_PRINTABLE, (ch) => ESCAPES[ch] ?? hexEscape(ch.codePointAt(0) ?? 0))
  return `${quote}${quote === "'" ? escaped.replaceAll("'", "\\'") : escaped}${quote}`
}

function hexEscape(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`
  return `\\U${code.toString(16).padStart(8, "0")}`
}
