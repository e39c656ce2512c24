// What one generation costs on each storage setup, in the same run: a `serve --transport http` process on SQLite +
// image files and one on PostgreSQL + S3 (a throwaway local PostgreSQL, test/helpers/postgres.ts, and s3rver in this
// process), each driven end to end by an MCP client — generate_image with the placeholder provider, polling
// check_generation_status every 2 ms until completed, then reading image://<id>/view. The servers take turns, one
// generation each, so load on the machine hits both alike; medians and their ratio are printed.
//   bun scripts/bench-storage.ts [--runs 40]
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { type PostgresServer, postgresSkipReason, startPostgres } from "../test/helpers/postgres"
import { type S3Server, startS3 } from "../test/helpers/s3"
import { freePort, waitFor } from "./bench-http-lib"
import { CLI, fmt, median } from "./bench-lib"

const { values: args } = parseArgs({ options: { runs: { type: "string" } } })
const RUNS = Math.max(5, Math.min(500, Number(args.runs ?? 40) || 40))

interface Setup {
  label: string
  proc: Bun.Subprocess
  client: Client
  times: number[]
}

async function startServer(label: string, home: string, env: Record<string, string>): Promise<Setup> {
  const port = await freePort()
  const args = ["serve", "--transport", "http", "--host", "127.0.0.1", "--port", String(port)]
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      IMAGE_GENERATION_MCP_READ_ONLY: "false",
      IMAGE_GENERATION_MCP_LOG_LEVEL: "warning",
      IMAGE_GENERATION_MCP_SCRATCH_DIR: join(home, "images"),
      IMAGE_GENERATION_MCP_DB_PATH: join(home, "state.sqlite"),
      ...env,
    },
    stdout: "ignore",
    stderr: "inherit",
  })
  await waitFor(`http://127.0.0.1:${port}/healthz`)
  const client = new Client({ name: "bench-storage", version: "1" })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)))
  return { label, proc, client, times: [] }
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  const first = result.content[0]
  const text = first?.type === "text" ? first.text : ""
  if (result.isError) throw new Error(`${name} failed: ${text}`)
  return text
}

/** generate → completed → read, timed end to end. */
async function generation(setup: Setup, n: number): Promise<number> {
  const started = performance.now()
  const { image_id } = JSON.parse(await call(setup.client, "generate_image", { prompt: `a lighthouse ${n}` }))
  for (;;) {
    const { status } = JSON.parse(await call(setup.client, "check_generation_status", { image_id }))
    if (status === "completed") break
    if (status !== "generating") throw new Error(`generation ${image_id} ended ${status}`)
    await Bun.sleep(2)
  }
  const { contents } = await setup.client.readResource({ uri: `image://${image_id}/view` })
  if (!contents[0] || !("blob" in contents[0]) || !contents[0].blob) throw new Error(`no bytes for ${image_id}`)
  return performance.now() - started
}

if (postgresSkipReason) {
  console.error(`PostgreSQL cannot run here (${postgresSkipReason}): nothing to measure.`)
  process.exit(1)
}
const home = mkdtempSync(join(tmpdir(), "igm-bench-storage-"))
const setups: Setup[] = []
let postgres: PostgresServer | undefined
let s3: S3Server | undefined
try {
  postgres = await startPostgres()
  s3 = await startS3(join(home, "s3"))
  const defaults = { IMAGE_GENERATION_MCP_DEFAULT_PROVIDER: "placeholder" }
  setups.push(await startServer("SQLite + files", join(home, "local"), defaults))
  setups.push(
    await startServer("PostgreSQL + S3", join(home, "shared"), {
      ...defaults,
      ...s3.env,
      IMAGE_GENERATION_MCP_DATABASE_URL: await postgres.createDatabase(),
      IMAGE_GENERATION_MCP_BLOB_STORE_URL: "s3://images/gallery",
    }),
  )
  // Warm-up: connections opened, code paths compiled.
  for (const setup of setups) for (let i = 0; i < 5; i++) await generation(setup, -i)
  for (let i = 0; i < RUNS; i++) for (const setup of setups) setup.times.push(await generation(setup, i))

  const [local, shared] = setups as [Setup, Setup]
  console.log(
    `One placeholder generation end to end (generate_image → check_generation_status until completed → image://<id>/view) over HTTP, median of ${RUNS}, taking turns (bun ${Bun.version}, ${navigator.hardwareConcurrency} cores)`,
  )
  for (const setup of setups) {
    const sorted = [...setup.times].sort((a, b) => a - b)
    const p90 = sorted[Math.floor(sorted.length * 0.9)] ?? Number.NaN
    console.log(`  ${setup.label.padEnd(18)} median ${fmt(median(setup.times))}   p90 ${fmt(p90)}`)
  }
  const overhead = median(shared.times) - median(local.times)
  console.log(
    `  PostgreSQL + S3 / SQLite + files: ${(median(shared.times) / median(local.times)).toFixed(2)}× (${overhead >= 0 ? "+" : ""}${fmt(overhead)} per generation)`,
  )
} finally {
  for (const setup of setups) {
    await setup.client.close()
    setup.proc.kill("SIGTERM")
    await setup.proc.exited
  }
  await s3?.[Symbol.asyncDispose]()
  await postgres?.[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}
