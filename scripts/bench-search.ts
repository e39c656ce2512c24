// search_images and gallery pages with 10,000 images: median latency through an in-process SDK client.
// Anchor in the same run: the same SQL (page + count) run directly on its own connection.
// The gallery is seeded with seedGallery (real files), then its prompts, providers, origins and dates are varied
// (its own prompts are all alike); the FTS triggers index the new prompts.
import { Database } from "bun:sqlite"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { loadConfig } from "@/config/config"
import { dateRange, searchWords } from "@/core/images/search"
import { createServices } from "@/core/services"
import { isoTimestamp } from "@/core/time"
import type { McpContext } from "@/mcp/context"
import { registerBrowseGalleryTool } from "@/mcp/tools/browse-gallery"
import { registerGalleryPageTool } from "@/mcp/tools/gallery-page"
import { registerSearchImagesTool } from "@/mcp/tools/search-images"
import { ftsMatch, searchWhere } from "@/storage/sqlite/search-sql"
import { fmt, medianTime } from "./bench-lib"
import { galleryEnv, seedGallery } from "./seed-gallery"

const COUNT = Number(process.env.COUNT ?? 10_000)
const RUNS = Number(process.env.RUNS ?? 41)
const TARGET_MS = 20

const SUBJECTS =
  "lighthouse cat dog castle robot forest city mountain ocean dragon astronaut flower car owl bridge village desert waterfall spaceship garden fox whale train library market harbour temple samurai violin teapot".split(
    " ",
  )
const STYLES = [
  "oil painting",
  "watercolor",
  "photorealistic photo",
  "pixel art",
  "anime",
  "charcoal sketch",
  "3d render",
  "low poly",
  "vaporwave poster",
  "art deco print",
  "linocut",
  "studio ghibli style",
]
const SETTINGS = [
  "at dusk",
  "in the rain",
  "under neon lights",
  "at sunrise",
  "in winter",
  "with fog",
  "golden hour",
  "at night",
  "in spring",
  "under a stormy sky",
  "on the moon",
  "by the sea",
]
const ADJECTIVES =
  "ancient tiny giant cosy abandoned futuristic serene chaotic colourful minimalist ornate rusty glowing frozen floating".split(
    " ",
  )
const PROVIDERS = ["placeholder", "openai", "gemini", "sd_webui", "edited"]
const DAY = 86_400

/** Deterministic pseudo-random prompts: the same gallery on every run. */
function prompts(count: number): string[] {
  let state = 42
  const pick = <T>(list: T[]): T => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return list[((t ^ (t >>> 14)) >>> 0) % list.length] as T
  }
  return Array.from({ length: count }, (_, i) => {
    const rare = i % 997 === 0 ? " with a quokka" : ""
    return `${pick(ADJECTIVES)} ${pick(SUBJECTS)}${rare} ${pick(SETTINGS)}, ${pick(STYLES)}, highly detailed`
  })
}

function vary(dbPath: string): void {
  const db = new Database(dbPath, { strict: true })
  const ids = db.query<{ image_id: string }, []>("SELECT image_id FROM images ORDER BY seq").all()
  const update = db.query(
    "UPDATE images SET prompt = $prompt, provider = $provider, origin = $origin, origin_source = $source, created_epoch = $epoch, created_at = $at WHERE image_id = $id",
  )
  const start = Date.UTC(2025, 0, 1) / 1000
  const texts = prompts(ids.length)
  db.transaction(() => {
    ids.forEach(({ image_id }, i) => {
      const imported = i % 10 === 9
      const epoch = start + (i * 365 * DAY) / ids.length
      update.run({
        id: image_id,
        prompt: texts[i] as string,
        provider: imported ? "" : (PROVIDERS[i % PROVIDERS.length] as string),
        origin: imported ? "imported" : "generated",
        source: imported ? "upload" : null,
        epoch,
        at: isoTimestamp(epoch),
      })
    })
  })()
  db.close()
}

const dir = mkdtempSync(join(tmpdir(), "igm-search-"))
try {
  const started = performance.now()
  await seedGallery(dir, COUNT)
  const { config } = loadConfig(galleryEnv(dir), dir)
  vary(config.dbPath)
  console.log(`seeded and varied ${COUNT} images in ${fmt(performance.now() - started)}`)

  const services = await createServices(config)
  const server = new McpServer({ name: "bench", version: "1" })
  const ctx: McpContext = {
    server,
    services,
    transport: "stdio",
    icons: new Map(),
    appOnly: new Set(),
    promptIcons: new Map(),
  }
  registerSearchImagesTool(ctx)
  registerBrowseGalleryTool(ctx)
  registerGalleryPageTool(ctx)
  const client = new Client({ name: "bench", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  const anchorDb = new Database(config.dbPath, { readonly: true, strict: true })

  const cases: [string, Record<string, unknown>][] = [
    ["common word (detailed)", { query: "detailed" }],
    ["common word, relevance", { query: "detailed", order: "relevance" }],
    ["mid word (lighthouse)", { query: "lighthouse" }],
    ["two words (owl winter)", { query: "owl winter" }],
    ["rare word (quokka)", { query: "quokka" }],
    ["prefix (lightho)", { query: "lightho" }],
    ["one-letter prefix (d)", { query: "d" }],
    ["filters: provider+dates", { query: "detailed", provider: "gemini", since: "2025-03-01", until: "2025-06-30" }],
    ["filters: imported, rare", { query: "quokka", origin: "imported" }],
  ]
  console.log(`\nsearch_images with ${COUNT} images (median of ${RUNS}; bun ${Bun.version}; target ≤ ${TARGET_MS} ms)`)
  let worst = 0
  for (const [label, args] of cases) {
    let total = 0
    const tool = await medianTime(async () => {
      const result = await client.callTool({ name: "search_images", arguments: args })
      total = JSON.parse((result.content as { text: string }[])[0]?.text ?? "{}").total
    }, RUNS)
    const anchor = await medianTime(async () => anchorQuery(anchorDb, args), RUNS)
    worst = Math.max(worst, tool)
    console.log(
      `  ${label.padEnd(26)} ${fmt(tool).padStart(9)}   anchor SQL ${fmt(anchor).padStart(8)}   matches ${String(total).padStart(5)}`,
    )
  }
  console.log(`  worst median ${fmt(worst)}: ${worst <= TARGET_MS ? "within" : "OVER"} the ${TARGET_MS} ms target`)

  const page = (args: Record<string, unknown>) => () => client.callTool({ name: "gallery_page", arguments: args })
  console.log(`\ngallery pages (12 thumbnails each, SQL paging)`)
  console.log(
    `  browse_gallery            ${fmt(await medianTime(() => client.callTool({ name: "browse_gallery", arguments: {} }), 15))}`,
  )
  console.log(`  gallery_page 400 of 834   ${fmt(await medianTime(page({ page: 400, origin: "all" }), 15))}`)
  console.log(`  gallery_page query=owl    ${fmt(await medianTime(page({ page: 3, query: "owl" }), 15))}`)

  anchorDb.close()
  await client.close()
  await services.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}

/** What the store runs for one search: the page query and the count, on a plain connection. */
function anchorQuery(db: Database, args: Record<string, unknown>): void {
  const words = searchWords(String(args.query))
  const range = dateRange(args.since as string | undefined, args.until as string | undefined)
  const origin = args.origin as "generated" | "imported" | undefined
  const query = { words, prefixLast: true, provider: args.provider as string | undefined, origin, ...range }
  const filtered = [query.provider, origin, range.since, range.until].some((v) => v !== undefined)
  if (args.order === "relevance") {
    db.query(
      "SELECT images.* FROM images_fts JOIN images ON images.seq = images_fts.rowid WHERE images_fts MATCH ? ORDER BY images_fts.rank, images.created_epoch DESC, images.seq DESC LIMIT 20",
    ).all(ftsMatch(words, true))
  } else {
    const { where, params } = searchWhere(query, true)
    db.query(`SELECT * FROM images ${where} ORDER BY created_epoch DESC, seq DESC LIMIT 20`).all(params)
  }
  if (!filtered) db.query("SELECT count(*) AS n FROM images_fts WHERE images_fts MATCH ?").get(ftsMatch(words, true))
  else {
    const { where, params } = searchWhere(query, false)
    db.query(`SELECT count(*) AS n FROM images ${where}`).get(params)
  }
}
