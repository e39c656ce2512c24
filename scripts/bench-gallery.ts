// With 10,000 images registered: image://list and list_providers latency, and start-up time.
// Anchors in the same run: raw rows + JSON.stringify for the list, a trivial tool call for list_providers,
// and start-up with an empty gallery for start-up.
import { Database } from "bun:sqlite"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { loadConfig } from "@/config/config"
import { createServices } from "@/core/services"
import { createMcpServer } from "@/mcp/server"
import { CLI, fmt, median, medianTime, timeHandshake } from "./bench-lib"
import { galleryEnv, seedGallery } from "./seed-gallery"

const COUNT = Number(process.env.COUNT ?? 10_000)
const RUNS = Number(process.env.RUNS ?? 15)
const full = mkdtempSync(join(tmpdir(), "igm-gallery-"))
const empty = mkdtempSync(join(tmpdir(), "igm-empty-"))

const timed = (fn: () => Promise<unknown>, runs = RUNS) => medianTime(fn, runs)

try {
  let started = performance.now()
  await seedGallery(full, COUNT)
  console.log(`seeded ${COUNT} images in ${fmt(performance.now() - started)}`)

  const { config } = loadConfig(galleryEnv(full), full)
  const services = await createServices(config)
  const server = createMcpServer(services, { transport: "stdio" })
  const client = new Client({ name: "bench", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])

  let listBytes = 0
  const list = await timed(async () => {
    const result = await client.readResource({ uri: "image://list" })
    listBytes = String((result.contents[0] as { text: string }).text).length
  })
  const db = new Database(config.dbPath, { readonly: true })
  const raw = await timed(async () => JSON.stringify(db.query("SELECT * FROM images ORDER BY rowid").all(), null, 2))
  db.close()
  const providers = await timed(() => client.callTool({ name: "list_providers", arguments: {} }), RUNS * 4)
  const trivial = await timed(() => client.callTool({ name: "get_server_info", arguments: {} }), RUNS * 4)
  await client.close()
  await services.close()

  const startFull: number[] = []
  const startEmpty: number[] = []
  for (let i = 0; i < RUNS; i++) {
    startFull.push(await timeHandshake([process.execPath, CLI, "serve"], galleryEnv(full)))
    startEmpty.push(await timeHandshake([process.execPath, CLI, "serve"], galleryEnv(empty)))
  }

  started = performance.now()
  const fresh = mkdtempSync(join(tmpdir(), "igm-import-"))
  const importConfig = loadConfig(
    { ...galleryEnv(fresh), IMAGE_GENERATION_MCP_SCRATCH_DIR: config.scratchDir },
    fresh,
  ).config
  const importing = await createServices(importConfig)
  const imported = await importing.images.count()
  await importing.close()
  const importMs = performance.now() - started
  rmSync(fresh, { recursive: true, force: true })

  console.log(`\nwith ${COUNT} images (medians; bun ${Bun.version})`)
  console.log(`  image://list            ${fmt(list)}  (${(listBytes / 1e6).toFixed(1)} MB JSON)`)
  console.log(`    anchor: raw rows + JSON.stringify  ${fmt(raw)}   ratio ${(list / raw).toFixed(2)}x`)
  console.log(`  list_providers          ${fmt(providers)}`)
  console.log(`    anchor: get_server_info call       ${fmt(trivial)}   ratio ${(providers / trivial).toFixed(2)}x`)
  console.log(`  start-up (spawn → tools/list)  ${fmt(median(startFull))}`)
  console.log(
    `    anchor: empty gallery             ${fmt(median(startEmpty))}   ratio ${(median(startFull) / median(startEmpty)).toFixed(2)}x`,
  )
  console.log(`  one-time import of ${imported} sidecars on first start: ${fmt(importMs)}`)
} finally {
  rmSync(full, { recursive: true, force: true })
  rmSync(empty, { recursive: true, force: true })
}
