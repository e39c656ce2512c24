// Comments explain themselves or point at docs/architecture.md and docs/decisions.md, which ship with the code.
import { describe, expect, test } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { ROOT } from "../helpers/cli"

const CODE_DIRS = ["src", "scripts", "bin", "test"]
const CODE_FILES = new Bun.Glob("**/*.{ts,mjs,js,css,html,sql}")
const SKIPPED = [
  /node_modules\//,
  /^src\/assets\/widgets\//,
  /__snapshots__\//,
  /^test\/docs\/design-record\.test\.ts$/,
]
const DOC_LINK = /\bdocs\/([\w-]+\.md)#([\w-]+)/g
const MD_LINK = /\]\(([\w./-]+\.md)?(?:#([\w-]+))?\)/g

interface Offence {
  where: string
  text: string
}

/** The comment text of one line: a whole-line comment, a `*` continuation, or what follows ` // ` or `--`. */
function commentText(line: string, sql = false): string | undefined {
  const trimmed = line.trim()
  if (/^(\/\/|\/\*|\*)/.test(trimmed)) return trimmed
  if (sql && trimmed.startsWith("--")) return trimmed
  const inline = line.indexOf(sql ? " -- " : " // ")
  return inline === -1 ? undefined : line.slice(inline)
}

/** Why a comment cites a document a clone does not have, or undefined when it does not. */
function outsideCitation(comment: string): string | undefined {
  if (/\b(REFERENCE|DECISIONS)\b/.test(comment)) return "names a document outside the repository"
  if (/(^|[\s(])[BD](1[0-5]|[0-9])(?=[\s):,.]|$)/.test(comment)) return "cites a decision by a bare number"
  for (const match of comment.matchAll(/§/g)) {
    if (!/\bRFC \d+\b/.test(comment.slice(0, match.index))) return "cites a § section that is not an RFC's"
  }
  return undefined
}

/** Outside comments (test names, messages) only the unmistakable citations count. */
function anywhere(line: string): string | undefined {
  return /\bREFERENCE\s*§|\bDECISIONS\b/.test(line) ? "names a document outside the repository" : undefined
}

/** GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces as dashes). */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  for (const [, heading = ""] of markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-")
    let anchor = base
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`
    anchors.add(anchor)
  }
  for (const [, id = ""] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id)
  return anchors
}

function codeFiles(): string[] {
  return CODE_DIRS.flatMap((dir) => [...CODE_FILES.scanSync({ cwd: join(ROOT, dir) })].map((f) => `${dir}/${f}`))
    .filter((path) => !SKIPPED.some((pattern) => pattern.test(path)))
    .sort()
}

const anchorCache = new Map<string, Set<string> | undefined>()
function anchorsOf(path: string): Set<string> | undefined {
  if (!anchorCache.has(path)) {
    anchorCache.set(path, existsSync(path) ? headingAnchors(readFileSync(path, "utf8")) : undefined)
  }
  return anchorCache.get(path)
}

function brokenLink(file: string, anchor: string | undefined): string | undefined {
  const anchors = anchorsOf(file)
  if (!anchors) return `${relative(ROOT, file)} does not exist`
  return anchor === undefined || anchors.has(anchor) ? undefined : `${relative(ROOT, file)} has no #${anchor}`
}

describe("the design record", () => {
  test("the checks catch what they are for", () => {
    expect(commentText("  x = 1 // see notes")).toBe(" // see notes")
    expect(commentText('  fetch("https://example.com")')).toBeUndefined()
    expect(commentText("  id TEXT -- see notes", true)).toBe(" -- see notes")
    const cited = ["REF", "ERENCE §10.8"].join("")
    expect(outsideCitation(`/** Picks the auth mode (${cited}). */`)).toContain("outside")
    expect(outsideCitation(` * as ${["DECI", "SIONS"].join("")} says`)).toContain("outside")
    expect(outsideCitation("/** D4: loaded lazily. */")).toContain("bare number")
    expect(outsideCitation(" * cannot end up in a log (B9).")).toContain("bare number")
    expect(outsideCitation(" * as §7.2 says")).toContain("not an RFC")
    expect(outsideCitation(" // RFC 6749 §4.1.2.1 and §5.2, RFC 7591 §3.2.2")).toBeUndefined()
    expect(outsideCitation(" // see docs/decisions.md#lazy-sdks; 0xB5 is not a decision")).toBeUndefined()
    expect(anywhere(`describe("auth modes (${cited})"`)).toContain("outside")
    expect(anywhere("const REFERENCE_DIRECTIVES = []")).toBeUndefined()
    expect(brokenLink(join(ROOT, "docs", "decisions.md"), "no-such-entry")).toContain("has no #no-such-entry")
    expect(brokenLink(join(ROOT, "docs", "no-such-file.md"), undefined)).toContain("does not exist")
    expect(headingAnchors("## Where new code goes\n### `a-b` c\n## Tests\n## Tests")).toEqual(
      new Set(["where-new-code-goes", "a-b-c", "tests", "tests-1"]),
    )
  })

  test("no comment cites a document outside the repository", () => {
    const offences: Offence[] = []
    for (const path of codeFiles()) {
      const lines = readFileSync(join(ROOT, path), "utf8").split("\n")
      lines.forEach((line, i) => {
        const comment = commentText(line, path.endsWith(".sql"))
        const why = comment ? outsideCitation(comment) : anywhere(line)
        if (why) offences.push({ where: `${path}:${i + 1}`, text: `${why}: ${line.trim()}` })
      })
    }
    expect(offences).toEqual([])
  })

  test("every docs/*.md#anchor the code cites exists", () => {
    const offences: Offence[] = []
    let links = 0
    for (const path of codeFiles()) {
      for (const [, file = "", anchor = ""] of readFileSync(join(ROOT, path), "utf8").matchAll(DOC_LINK)) {
        links++
        const broken = brokenLink(join(ROOT, "docs", file), anchor)
        if (broken) offences.push({ where: path, text: broken })
      }
    }
    expect(offences).toEqual([])
    expect(links).toBeGreaterThan(0)
  })

  test("every link from README.md and docs/*.md to a Markdown file or heading lands", () => {
    const offences: Offence[] = []
    const markdown = ["README.md", "docs/architecture.md", "docs/decisions.md"]
    for (const path of markdown) {
      const text = readFileSync(join(ROOT, path), "utf8")
      const dir = join(ROOT, path, "..")
      for (const [, target, anchor] of text.matchAll(MD_LINK)) {
        if (!target && !anchor) continue
        const broken = brokenLink(target ? join(dir, target) : join(ROOT, path), anchor)
        if (broken) offences.push({ where: path, text: broken })
      }
    }
    expect(offences).toEqual([])
  })
})
