// What one generation costs on each storage setup, in the same run: a `serve --transport http` process on SQLite +
// image files and one on PostgreSQL + S3 (a throwaway local PostgreSQL, test/helpers/postgres.ts, and s3rver in this
// process), each driven end to end by an MCP client — generate_image with the placeholder provider, polling
// check_generation_status every 2 ms until completed, then reading image://<id>/view. The servers take turns, one
// generation each, so load on the machine hits both alike; medians and their ratio are printed.
// `--breakdown` adds each stage's median (the generate_image call, the polls until completed, the view read) and a
// third server on PostgreSQL + S3, reached through a relay that counts the PostgreSQL protocol messages, taking
// the same turns: per generation and stage, the statements, round trips, transactions and time waited on
// PostgreSQL, and the S3 requests with the time s3rver took to answer them (scripts/bench-storage-wire.ts).
//   bun scripts/bench-storage.ts [--runs 40] [--breakdown]
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
import { countingRelay, diffCounts, emptyCounts, snapshot, type WireCounts } from "./bench-storage-wire"

const { values: args } = parseArgs({ options: { runs: { type: "string" }, breakdown: { type: "boolean" } } })
const RUNS = Math.max(5, Math.min(500, Number(args.runs ?? 40) || 40))

interface Setup {
  label: string
  proc: Bun.Subprocess
  client: Client
  times: number[]
  /** Milliseconds per stage of each generation, and the status polls it took. */
  stages: Record<Stage, number[]>
  polls: number[]
}

const STAGES = ["generate_image", "until completed", "view", "after"] as const
type Stage = (typeof STAGES)[number]

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
  return {
    label,
    proc,
    client,
    times: [],
    stages: { generate_image: [], "until completed": [], view: [], after: [] },
    polls: [],
  }
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  const first = result.content[0]
  const text = first?.type === "text" ? first.text : ""
  if (result.isError) throw new Error(`${name} failed: ${text}`)
  return text
}

/** generate → completed → read, timed end to end; `mark` is told as each stage ends. */
async function generation(setup: Setup, n: number, mark: (stage: Stage) => void = () => {}): Promise<number> {
  const started = performance.now()
  let last = started
  const stage = (name: Stage) => {
    const now = performance.now()
    setup.stages[name].push(now - last)
    last = now
    mark(name)
  }
  const { image_id } = JSON.parse(await call(setup.client, "generate_image", { prompt: `a lighthouse ${n}` }))
  stage("generate_image")
  let polls = 0
  for (;;) {
    polls++
    const { status, error } = JSON.parse(await call(setup.client, "check_generation_status", { image_id }))
    if (status === "completed") break
    if (status !== "generating") throw new Error(`generation ${image_id} ended ${status}: ${error}`)
    await Bun.sleep(2)
  }
  setup.polls.push(polls)
  stage("until completed")
  const { contents } = await setup.client.readResource({ uri: `image://${image_id}/view` })
  if (!contents[0] || !("blob" in contents[0]) || !contents[0].blob) throw new Error(`no bytes for ${image_id}`)
  stage("view")
  return performance.now() - started
}

/** What the counted server asked of PostgreSQL and S3 per stage, summed over its generations. */
interface StageCounts {
  wire: WireCounts
  s3: Map<string, { count: number; ms: number }>
}

/** The S3 request's kind: its method and which object of an image it is. */
function s3Kind(method: string, path: string): string {
  const object = path.endsWith("-original.png") ? "original" : path.endsWith(".json") ? "sidecar" : "other"
  return `${method} ${object}`
}

if (postgresSkipReason) {
  console.error(`PostgreSQL cannot run here (${postgresSkipReason}): nothing to measure.`)
  process.exit(1)
}
const home = mkdtempSync(join(tmpdir(), "igm-bench-storage-"))
const setups: Setup[] = []
let postgres: PostgresServer | undefined
let s3: S3Server | undefined
let relay: Awaited<ReturnType<typeof countingRelay>> | undefined
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
  relay = args.breakdown ? await countingRelay({ host: "127.0.0.1", port: postgres.port }) : undefined
  if (relay) {
    const url = new URL(await postgres.createDatabase())
    url.port = String(relay.port)
    setups.push(
      await startServer("PG + S3, counted", join(home, "counted"), {
        ...defaults,
        ...s3.env,
        IMAGE_GENERATION_MCP_DATABASE_URL: url.toString(),
        IMAGE_GENERATION_MCP_BLOB_STORE_URL: "s3://images/counted",
      }),
    )
  }
  const counted: Record<Stage, StageCounts> = Object.fromEntries(
    STAGES.map((stage) => [stage, { wire: emptyCounts(), s3: new Map() }]),
  ) as Record<Stage, StageCounts>
  /** Runs one generation on the counted server, adding what each stage asked for to `counted`. */
  const countedGeneration = async (setup: Setup, n: number) => {
    const requests = s3?.requests ?? []
    const live = relay?.counts ?? emptyCounts()
    let wire = snapshot(live)
    let seen = requests.length
    const add = (stage: Stage) => {
      const now = snapshot(live)
      const into = counted[stage]
      const delta = diffCounts(now, wire)
      into.wire.statements += delta.statements
      into.wire.exchanges += delta.exchanges
      into.wire.waits += delta.waits
      into.wire.waitMs += delta.waitMs
      into.wire.transactions += delta.transactions
      for (const [text, count] of delta.texts) into.wire.texts.set(text, (into.wire.texts.get(text) ?? 0) + count)
      wire = now
      for (const request of requests.slice(seen)) {
        if (!request.path.startsWith("/images/counted/")) continue
        const kind = s3Kind(request.method, request.path)
        const entry = into.s3.get(kind) ?? { count: 0, ms: 0 }
        entry.count++
        entry.ms += request.ms
        into.s3.set(kind, entry)
      }
      seen = requests.length
    }
    const ms = await generation(setup, n, add)
    // What the server still does once the client has its image (previews, say): counted until it is quiet.
    const quiet = performance.now()
    await Bun.sleep(50)
    setup.stages.after.push(performance.now() - quiet)
    add("after")
    return ms
  }
  const run = (setup: Setup, n: number) =>
    setup.label === "PG + S3, counted" ? countedGeneration(setup, n) : generation(setup, n)
  // Warm-up: connections opened, code paths compiled.
  for (const setup of setups) for (let i = 0; i < 5; i++) await run(setup, -i)
  for (const setup of setups) {
    setup.times.length = 0
    setup.polls.length = 0
    for (const stage of STAGES) setup.stages[stage].length = 0
  }
  for (const stage of STAGES) counted[stage] = { wire: emptyCounts(), s3: new Map() }
  for (let i = 0; i < RUNS; i++) for (const setup of setups) setup.times.push(await run(setup, i))

  const [local, shared, countedSetup] = setups as [Setup, Setup, Setup | undefined]
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
  if (args.breakdown) {
    console.log("\nMedian ms per stage (status polls per generation: median)")
    for (const setup of setups) {
      const parts = STAGES.filter((stage) => stage !== "after" || setup === countedSetup).map(
        (stage) => `${stage} ${fmt(median(setup.stages[stage]))}`,
      )
      console.log(`  ${setup.label.padEnd(18)} ${parts.join("   ")}   polls ${median(setup.polls)}`)
    }
    console.log(`\nPer generation on ${countedSetup?.label} (means over ${RUNS}; s3rver ms = its time to answer)`)
    const per = (value: number) => (value / RUNS).toFixed(2).replace(/\.?0+$/, "")
    for (const stage of STAGES) {
      const { wire, s3: objects } = counted[stage]
      const s3Parts = [...objects].map(([kind, { count, ms }]) => `${kind} ×${per(count)} (${per(ms)} ms)`)
      console.log(
        `  ${stage.padEnd(16)} PostgreSQL: ${per(wire.statements)} statements, ${per(wire.exchanges)} exchanges, ${per(wire.waits)} waits (${per(wire.waitMs)} ms), ${per(wire.transactions)} transactions`,
      )
      console.log(`  ${"".padEnd(16)} S3: ${s3Parts.join(", ") || "none"}`)
      if (process.env.BENCH_STATEMENTS) for (const [text, n] of wire.texts) console.log(`      ${per(n)}× ${text}`)
    }
  }
} finally {
  for (const setup of setups) {
    await setup.client.close()
    setup.proc.kill("SIGTERM")
    await setup.proc.exited
  }
  await relay?.close()
  await s3?.[Symbol.asyncDispose]()
  await postgres?.[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}
