// HTTP load: N sessions (default 50) each initialize, then loop tools/call check_generation_status on one finished
// job for DURATION_S (default 10) through bearer auth, on SQLite and/or PostgreSQL. The anchor, in the same run: the
// same load against a bare MCP SDK server (same transport, one trivial tool, no auth, no event store: what the SDK
// alone costs here); a Bun.serve JSON echo is measured for scale. Each run measures the anchor and then our server
// on every driver; the report gives medians over the runs and the median of the per-run ratios ours/SDK.
// Every server runs in a child process on loopback; the load comes from this process over keep-alive fetch.
// PostgreSQL is a throwaway local server (test/helpers/postgres.ts) with a new database for each run.
//   bun scripts/bench-http.ts [--driver sqlite|postgres|both] [--runs 3] [--duration 10] [--sessions 50]
//                             [--warmup 2] [--profile DIR] [--baseline DIR]
// --baseline measures another checkout's server (e.g. an earlier commit, with its widgets built) in the same runs.
// --profile writes a CPU profile of our server per driver and run (bun --cpu-prof, .cpuprofile and .md) into DIR.
// IMAGE_GENERATION_MCP_EVENT_STORE_URL, if set here, is passed on (e.g. memory:// to compare).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { postgresSkipReason, startPostgres } from "../test/helpers/postgres"
import {
  cpuPerRequest,
  drive,
  finishedJob,
  freePort,
  line,
  McpSession,
  mib,
  PROTOCOL,
  rate,
  rss,
  type Stats,
  waitFor,
} from "./bench-http-lib"
import { profileReport } from "./bench-http-profile"
import { CLI, median, ROOT } from "./bench-lib"

const { values: args } = parseArgs({
  options: {
    duration: { type: "string" },
    sessions: { type: "string" },
    warmup: { type: "string" },
    runs: { type: "string" },
    driver: { type: "string" },
    profile: { type: "string" },
    baseline: { type: "string" },
  },
})
const DURATION_S = clamp(Number(args.duration ?? process.env.DURATION_S ?? 10), 1, 600)
const SESSIONS = clamp(Number(args.sessions ?? process.env.SESSIONS ?? 50), 1, 200)
const WARMUP_S = clamp(Number(args.warmup ?? process.env.WARMUP_S ?? 2), 0, 60)
const RUNS = clamp(Number(args.runs ?? process.env.RUNS ?? 3), 1, 20)
const PROFILE_DIR = args.profile ? resolve(args.profile) : undefined
/** Another checkout of this server (e.g. a previous commit), measured in the same runs for a before/after ratio. */
const BASELINE_CLI = args.baseline ? join(resolve(args.baseline), "src", "cli", "index.ts") : undefined
const ACCEPT = "application/json, text/event-stream"
const TIMING = { warmupS: WARMUP_S, durationS: DURATION_S }
const EVENT_STORE = process.env.IMAGE_GENERATION_MCP_EVENT_STORE_URL

type Driver = "sqlite" | "postgres"
const DRIVER_NAMES: Record<Driver, string> = { sqlite: "SQLite", postgres: "PostgreSQL" }
const driverArg = args.driver === "postgresql" ? "postgres" : (args.driver ?? (postgresSkipReason ? "sqlite" : "both"))
if (!["sqlite", "postgres", "both"].includes(driverArg)) throw new Error("--driver must be sqlite, postgres or both")
const DRIVERS: Driver[] = driverArg === "both" ? ["sqlite", "postgres"] : [driverArg as Driver]

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
}

const SDK_SERVER = `
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { z } from "zod"
const sessions = new Map()
process.on("SIGTERM", () => process.exit(0))
Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT),
  idleTimeout: 0,
  async fetch(req) {
    if (req.method === "GET" && new URL(req.url).pathname === "/healthz") return new Response("ok")
    const id = req.headers.get("mcp-session-id")
    if (id) return sessions.get(id)?.handleRequest(req) ?? new Response("no session", { status: 404 })
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (sid) => sessions.set(sid, transport),
    })
    const server = new McpServer({ name: "minimal", version: "1" })
    server.registerTool("check_generation_status", { inputSchema: { image_id: z.string() } }, async ({ image_id }) => ({
      content: [{ type: "text", text: JSON.stringify({ status: "completed", image_id }) }],
    }))
    await server.connect(transport)
    return transport.handleRequest(req)
  },
})
`

/** Bun's CPU profiler flags when --profile is given: `name`.cpuprofile and `name`.md in PROFILE_DIR. */
function profileFlags(name: string): string[] {
  if (!PROFILE_DIR) return []
  return ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}`]
}

const profilePath = (name: string) => (PROFILE_DIR ? join(PROFILE_DIR, `${name}.cpuprofile`) : undefined)

/** The same session load against a minimal SDK server: what the protocol layer alone costs here. */
async function benchSdk(profileName: string): Promise<Profiled> {
  const script = join(ROOT, "scripts", ".bench-http-sdk-server.ts")
  writeFileSync(script, SDK_SERVER)
  const port = await freePort()
  const proc = Bun.spawn([process.execPath, ...profileFlags(profileName), script], {
    env: { PATH: process.env.PATH ?? "", PORT: String(port) },
  })
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`)
    await Bun.sleep(500)
    const url = `http://127.0.0.1:${port}/mcp`
    const sessions = Array.from({ length: SESSIONS }, () => new McpSession(url, "unused"))
    await Promise.all(sessions.map((s) => s.initialize()))
    const stats = await drive(proc.pid, SESSIONS, TIMING, async (w) => {
      const result = await (sessions[w] as McpSession).call("check_generation_status", { image_id: "x" })
      if (result.isError || !result.text.includes('"completed"')) throw new Error(`unexpected: ${result.text}`)
    })
    return { ...stats, profile: profilePath(profileName) }
  } finally {
    proc.kill("SIGTERM")
    await proc.exited
    rmSync(script, { force: true })
  }
}

const ECHO_SERVER = `
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT),
  async fetch(req) {
    if (req.method === "GET") return new Response("ok")
    const body = await req.json()
    return Response.json({ jsonrpc: "2.0", id: body.id, result: { echo: body } })
  },
})
`

async function benchEcho(home: string): Promise<Stats> {
  const script = join(home, "echo-server.ts")
  writeFileSync(script, ECHO_SERVER)
  const port = await freePort()
  const proc = Bun.spawn([process.execPath, script], { env: { PATH: process.env.PATH ?? "", PORT: String(port) } })
  try {
    const url = `http://127.0.0.1:${port}/`
    await waitFor(url)
    await Bun.sleep(500)
    const payload = (id: number) =>
      JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "check_generation_status", arguments: { image_id: "x" } },
      })
    let n = 0
    return await drive(proc.pid, SESSIONS, TIMING, async () => {
      const id = ++n
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload(id),
      })
      const body = (await res.json()) as { id?: number }
      if (res.status !== 200 || body.id !== id) throw new Error(`echo answered ${res.status}`)
    })
  } finally {
    proc.kill()
    await proc.exited
  }
}

/** A measurement, with the CPU profile of its server when --profile is given. */
type Profiled = Stats & { profile?: string }
type Ours = Profiled & { auth: string }

/** Our server on `databaseUrl` (PostgreSQL) or on a SQLite file in a fresh home. */
async function benchServer(databaseUrl: string | undefined, profileName: string, cli = CLI): Promise<Ours> {
  const home = mkdtempSync(join(tmpdir(), "igm-bench-http-"))
  const port = await freePort()
  const token = crypto.randomUUID()
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    IMAGE_GENERATION_MCP_READ_ONLY: "false",
    IMAGE_GENERATION_MCP_DEFAULT_PROVIDER: "placeholder",
    IMAGE_GENERATION_MCP_BEARER_TOKEN: token,
    IMAGE_GENERATION_MCP_LOG_LEVEL: "warning",
    ...(databaseUrl && { IMAGE_GENERATION_MCP_DATABASE_URL: databaseUrl }),
    ...(EVENT_STORE && { IMAGE_GENERATION_MCP_EVENT_STORE_URL: EVENT_STORE }),
  }
  const proc = Bun.spawn(
    [process.execPath, ...profileFlags(profileName), cli, "serve", "--transport", "http", "--port", String(port)],
    {
      env,
      stdout: "ignore",
      stderr: Bun.file(join(home, "server.log")),
    },
  )
  try {
    const url = `http://127.0.0.1:${port}/mcp`
    await waitFor(`http://127.0.0.1:${port}/healthz`)
    await Bun.sleep(1000)
    const idle = rss(proc.pid)
    const auth = await probeAuth(url)
    const imageId = await finishedJob(url, token)
    const sessions = Array.from({ length: SESSIONS }, () => new McpSession(url, token))
    await Promise.all(sessions.map((s) => s.initialize()))
    const stats = await drive(proc.pid, SESSIONS, TIMING, async (w) => {
      const result = await (sessions[w] as McpSession).call("check_generation_status", { image_id: imageId })
      if (result.isError || !result.text.includes('"completed"')) throw new Error(`unexpected: ${result.text}`)
    })
    await Promise.all(sessions.map((s) => s.close()))
    return { ...stats, rssIdle: idle, auth, profile: profilePath(profileName) }
  } finally {
    proc.kill("SIGTERM")
    await proc.exited
    rmSync(home, { recursive: true, force: true })
  }
}

/** Is bearer auth mounted? An initialize without the header must be refused. */
async function probeAuth(url: string): Promise<string> {
  const probe = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "probe", version: "1" } },
    }),
  })
  const session = probe.headers.get("mcp-session-id")
  await probe.text()
  if (session) {
    const headers = { "mcp-session-id": session, "mcp-protocol-version": PROTOCOL }
    await fetch(url, { method: "DELETE", headers }).then((r) => r.text())
  }
  return probe.status === 401
    ? "active (a request without Authorization gets 401)"
    : `NOT active (a request without Authorization got ${probe.status}); the token is sent anyway`
}

if (DRIVERS.includes("postgres") && postgresSkipReason) {
  throw new Error(`PostgreSQL cannot run here: ${postgresSkipReason}`)
}
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true })
const home = mkdtempSync(join(tmpdir(), "igm-bench-http-"))
const postgres = DRIVERS.includes("postgres") ? await startPostgres() : undefined
const sdk: Profiled[] = []
const echo: Stats[] = []
const ours: Record<Driver, Ours[]> = { sqlite: [], postgres: [] }
const baseline: Record<Driver, Ours[]> = { sqlite: [], postgres: [] }
try {
  for (let run = 1; run <= RUNS; run++) {
    sdk.push(await benchSdk(`sdk-run${run}`))
    for (const driver of DRIVERS) {
      const databaseUrl = driver === "postgres" ? await postgres?.createDatabase() : undefined
      ours[driver].push(await benchServer(databaseUrl, `${driver}-run${run}`))
      if (BASELINE_CLI) {
        const baselineUrl = driver === "postgres" ? await postgres?.createDatabase() : undefined
        baseline[driver].push(await benchServer(baselineUrl, `baseline-${driver}-run${run}`, BASELINE_CLI))
      }
    }
    echo.push(await benchEcho(home))
    const measured = DRIVERS.map((d) => `${DRIVER_NAMES[d]} ${rate(ours[d].at(-1) as Ours).toFixed(0)}`).join(", ")
    console.error(`run ${run}/${RUNS}: SDK ${rate(sdk.at(-1) as Stats).toFixed(0)} req/s, ours ${measured}`)
  }
} finally {
  await postgres?.[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}

/** The run whose rate is the median, so its latencies, RSS and profile go with the median throughput. */
const medianRun = <T extends Stats>(runs: T[]): T =>
  [...runs].sort((a, b) => rate(a) - rate(b))[Math.floor((runs.length - 1) / 2)] as T
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`
const cpuLine = (s: Stats) => `    server CPU ${cpuPerRequest(s).toFixed(0)} µs per request`
const profileLines = (s: Profiled) =>
  s.profile
    ? [
        `    profile ${s.profile} (samples from ${s.fromMs} to ${s.toMs} epoch ms):`,
        ...profileReport(s.profile, { fromMs: s.fromMs, toMs: s.toMs }, cpuPerRequest(s)),
      ]
    : []

console.log(
  `HTTP load: ${SESSIONS} sessions, tools/call check_generation_status, ${RUNS} run(s) of ${DURATION_S} s after ${WARMUP_S} s warm-up (bun ${Bun.version}, loopback, keep-alive); medians over the runs`,
)
console.log(`  bearer auth: ${ours[DRIVERS[0] as Driver][0]?.auth}`)
console.log(`  event store: ${EVENT_STORE ?? "the main database (default)"}`)
const sdkMedian = medianRun(sdk)
console.log(line("minimal MCP SDK server", sdkMedian))
console.log(cpuLine(sdkMedian))
for (const text of profileLines(sdkMedian)) console.log(text)
for (const driver of DRIVERS) {
  const runs = ours[driver]
  const ratios = runs.map((r, i) => rate(r) / rate(sdk[i] as Stats))
  const cpuRatios = runs.map((r, i) => cpuPerRequest(sdk[i] as Stats) / cpuPerRequest(r))
  const m = medianRun(runs)
  console.log(line(`ours on ${DRIVER_NAMES[driver]}`, m))
  console.log(
    `    ${pct(median(ratios))} of the SDK server's req/s in the same run (runs: ${ratios.map(pct).join(", ")}; target ≥ 80%)`,
  )
  console.log(`${cpuLine(m)}: the SDK server's CPU per request is ${pct(median(cpuRatios))} of ours (median of runs)`)
  console.log(
    `    RSS: idle ${mib(m.rssIdle)}, under load mean ${mib(m.rssMean)} / peak ${mib(m.rssPeak)}` +
      ` (first ${mib(m.rssFirst)}, last ${mib(m.rssLast)})`,
  )
  for (const text of profileLines(m)) console.log(text)
  const before = baseline[driver]
  if (before.length) {
    const b = medianRun(before)
    const sdkRatios = before.map((r, i) => rate(r) / rate(sdk[i] as Stats))
    const gains = runs.map((r, i) => rate(r) / rate(before[i] as Stats))
    console.log(line(`baseline on ${DRIVER_NAMES[driver]}`, b))
    console.log(
      `    ${pct(median(sdkRatios))} of the SDK server's req/s (runs: ${sdkRatios.map(pct).join(", ")}); ${cpuLine(b).trim()}`,
    )
    console.log(`    ours/baseline req/s in the same run: ${pct(median(gains))} (runs: ${gains.map(pct).join(", ")})`)
  }
}
const echoMedian = medianRun(echo)
console.log(line("Bun.serve JSON echo", echoMedian))
console.log(
  `  for scale: the SDK server is ${pct(median(sdk.map((s, i) => rate(s) / rate(echo[i] as Stats))))} of the echo`,
)
const measured = [...sdk, ...echo, ...DRIVERS.flatMap((d) => [...ours[d], ...baseline[d]])]
if (measured.some((s) => s.errors > 0)) process.exitCode = 1
