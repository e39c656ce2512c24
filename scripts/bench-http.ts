// HTTP load: N sessions (default 50) each initialize, then loop tools/call check_generation_status on one job id
// for DURATION_S (default 30) through bearer auth. Anchors in the same run: the same load against a bare
// Bun.serve JSON echo (the ratio's anchor), and against a minimal MCP SDK server (same transport, one trivial
// tool, no event store: what the SDK alone costs). Every server runs in a child process on loopback; the load
// comes from this process over keep-alive fetch. Reports req/s, p50/p99 latency, errors, and RSS.
//   bun scripts/bench-http.ts [--duration 30] [--sessions 50] [--warmup 2]
// IMAGE_GENERATION_MCP_EVENT_STORE_URL, if set here, is passed on (e.g. memory:// to compare).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { CLI, ROOT } from "./bench-lib"

const { values: args } = parseArgs({
  options: { duration: { type: "string" }, sessions: { type: "string" }, warmup: { type: "string" } },
})
const DURATION_S = clamp(Number(args.duration ?? process.env.DURATION_S ?? 30), 1, 600)
const SESSIONS = clamp(Number(args.sessions ?? process.env.SESSIONS ?? 50), 1, 200)
const WARMUP_S = clamp(Number(args.warmup ?? process.env.WARMUP_S ?? 2), 0, 60)
const PROTOCOL = "2025-11-25"
const ACCEPT = "application/json, text/event-stream"

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
}

interface Stats {
  requests: number
  errors: number
  firstError?: string
  latencies: number[]
  seconds: number
  rssIdle: number
  rssPeak: number
  rssMean: number
  /** First and last samples under load: a climb between them over a long run would hint at a leak. */
  rssFirst: number
  rssLast: number
}

/** Resident set size of a child process in bytes (Linux /proc). */
function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
  return Number(kb ?? 0) * 1024
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const port = probe.port ?? 0
  await probe.stop(true)
  return port
}

async function waitFor(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await Bun.sleep(50)
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}

/** Drives `loop` from `workers` concurrent loops for warm-up + duration; samples the server's RSS. */
async function drive(pid: number, workers: number, loop: (worker: number) => Promise<void>): Promise<Stats> {
  const stats: Stats = {
    requests: 0,
    errors: 0,
    latencies: [],
    seconds: 0,
    rssIdle: rss(pid),
    rssPeak: 0,
    rssMean: 0,
    rssFirst: 0,
    rssLast: 0,
  }
  let measuring = false
  let stop = false
  const samples: number[] = []
  const sampler = setInterval(() => {
    if (!measuring) return
    const now = rss(pid)
    samples.push(now)
    stats.rssPeak = Math.max(stats.rssPeak, now)
  }, 250)
  const record = (started: number, error?: string) => {
    if (!measuring) return
    stats.requests++
    stats.latencies.push(performance.now() - started)
    if (error) {
      stats.errors++
      stats.firstError ??= error
    }
  }
  const runners = Array.from({ length: workers }, async (_, w) => {
    while (!stop) {
      const started = performance.now()
      try {
        await loop(w)
        record(started)
      } catch (error) {
        record(started, (error as Error).message)
      }
    }
  })
  await Bun.sleep(WARMUP_S * 1000)
  measuring = true
  const began = performance.now()
  await Bun.sleep(DURATION_S * 1000)
  measuring = false
  stats.seconds = (performance.now() - began) / 1000
  stop = true
  await Promise.all(runners)
  clearInterval(sampler)
  stats.rssMean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)
  stats.rssFirst = samples[0] ?? 0
  stats.rssLast = samples.at(-1) ?? 0
  return stats
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** A minimal Streamable HTTP client: POST JSON-RPC, read the SSE (or JSON) answer for that id. */
class McpSession {
  private readonly url: string
  private headers: Record<string, string>
  private nextId = 1
  constructor(url: string, token: string) {
    this.url = url
    this.headers = { "content-type": "application/json", accept: ACCEPT, authorization: `Bearer ${token}` }
  }

  async initialize(): Promise<void> {
    const res = await this.post({
      jsonrpc: "2.0",
      id: this.nextId++,
      method: "initialize",
      params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "bench-http", version: "1" } },
    })
    const id = res.headers.get("mcp-session-id")
    await res.text()
    if (res.status !== 200 || !id) throw new Error(`initialize answered ${res.status}`)
    this.headers = { ...this.headers, "mcp-session-id": id, "mcp-protocol-version": PROTOCOL }
    const ack = await this.post({ jsonrpc: "2.0", method: "notifications/initialized" })
    await ack.text()
  }

  async call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
    const id = this.nextId++
    const res = await this.post({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } })
    const body = await res.text()
    if (res.status !== 200) throw new Error(`tools/call answered ${res.status}: ${body.slice(0, 200)}`)
    const message = answerFor(body, id)
    if (!message) throw new Error(`no answer for request ${id} in: ${body.slice(0, 200)}`)
    if (message.error) throw new Error(`JSON-RPC error ${JSON.stringify(message.error)}`)
    const result = message.result as { content?: { text?: string }[]; isError?: boolean }
    return { text: result.content?.[0]?.text ?? "", isError: result.isError === true }
  }

  async close(): Promise<void> {
    await fetch(this.url, { method: "DELETE", headers: this.headers }).then((r) => r.text())
  }

  private post(message: unknown): Promise<Response> {
    return fetch(this.url, { method: "POST", headers: this.headers, body: JSON.stringify(message) })
  }
}

function answerFor(body: string, id: number): { result?: unknown; error?: unknown } | undefined {
  const candidates = body.trimStart().startsWith("{")
    ? [body]
    : body
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim())
  for (const text of candidates) {
    if (!text) continue
    const message = JSON.parse(text) as { id?: number; result?: unknown; error?: unknown }
    if (message.id === id) return message
  }
  return undefined
}

const SDK_SERVER = `
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { z } from "zod"
const sessions = new Map()
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

/** The same session load against a minimal SDK server: what the protocol layer alone costs here. */
async function benchSdk(): Promise<Stats> {
  const script = join(ROOT, "scripts", ".bench-http-sdk-server.ts")
  writeFileSync(script, SDK_SERVER)
  const port = await freePort()
  const proc = Bun.spawn([process.execPath, script], { env: { PATH: process.env.PATH ?? "", PORT: String(port) } })
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`)
    await Bun.sleep(500)
    const url = `http://127.0.0.1:${port}/mcp`
    const sessions = Array.from({ length: SESSIONS }, () => new McpSession(url, "unused"))
    await Promise.all(sessions.map((s) => s.initialize()))
    return await drive(proc.pid, SESSIONS, async (w) => {
      const result = await (sessions[w] as McpSession).call("check_generation_status", { image_id: "x" })
      if (result.isError || !result.text.includes('"completed"')) throw new Error(`unexpected: ${result.text}`)
    })
  } finally {
    proc.kill()
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
    return await drive(proc.pid, SESSIONS, async () => {
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

async function benchServer(home: string): Promise<Stats & { auth: string; eventStore: string }> {
  const port = await freePort()
  const token = crypto.randomUUID()
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    IMAGE_GENERATION_MCP_READ_ONLY: "false",
    IMAGE_GENERATION_MCP_DEFAULT_PROVIDER: "placeholder",
    IMAGE_GENERATION_MCP_BEARER_TOKEN: token,
    IMAGE_GENERATION_MCP_LOG_LEVEL: "warning",
  }
  const eventStore = process.env.IMAGE_GENERATION_MCP_EVENT_STORE_URL
  if (eventStore) env.IMAGE_GENERATION_MCP_EVENT_STORE_URL = eventStore
  const logFile = join(home, "server.log")
  const proc = Bun.spawn([process.execPath, CLI, "serve", "--transport", "http", "--port", String(port)], {
    env,
    stdout: "ignore",
    stderr: Bun.file(logFile),
  })
  try {
    const url = `http://127.0.0.1:${port}/mcp`
    await waitFor(`http://127.0.0.1:${port}/healthz`)
    await Bun.sleep(1000)
    const idle = rss(proc.pid)

    // Is bearer auth mounted? An initialize without the header must be refused.
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
    const probeSession = probe.headers.get("mcp-session-id")
    await probe.text()
    const auth =
      probe.status === 401
        ? "active (a request without Authorization gets 401)"
        : `NOT active (a request without Authorization got ${probe.status}); the token is sent anyway`
    if (probeSession) {
      await fetch(url, {
        method: "DELETE",
        headers: { "mcp-session-id": probeSession, "mcp-protocol-version": PROTOCOL },
      }).then((r) => r.text())
    }

    // One job to poll: generated by the placeholder provider, waited on until it completes.
    const setup = new McpSession(url, token)
    await setup.initialize()
    const started = await setup.call("generate_image", { prompt: "a lighthouse at dusk", provider: "placeholder" })
    const imageId = (JSON.parse(started.text) as { image_id?: string }).image_id
    if (!imageId) throw new Error(`generate_image gave no image_id: ${started.text.slice(0, 200)}`)
    for (let i = 0; i < 100; i++) {
      const status = await setup.call("check_generation_status", { image_id: imageId })
      if (status.text.includes('"completed"')) break
      await Bun.sleep(50)
    }
    await setup.close()

    const sessions = Array.from({ length: SESSIONS }, () => new McpSession(url, token))
    await Promise.all(sessions.map((s) => s.initialize()))
    const stats = await drive(proc.pid, SESSIONS, async (w) => {
      const result = await (sessions[w] as McpSession).call("check_generation_status", { image_id: imageId })
      if (result.isError || !result.text.includes('"completed"')) throw new Error(`unexpected: ${result.text}`)
    })
    await Promise.all(sessions.map((s) => s.close()))
    return { ...stats, rssIdle: idle, auth, eventStore: eventStore ?? "main database (default)" }
  } finally {
    proc.kill("SIGTERM")
    await proc.exited
  }
}

function line(label: string, s: Stats): string {
  const sorted = [...s.latencies].sort((a, b) => a - b)
  const rps = s.requests / s.seconds
  return `  ${label.padEnd(22)} ${rps.toFixed(0).padStart(7)} req/s   p50 ${percentile(sorted, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(2).padStart(6)} ms   errors ${s.errors}${s.firstError ? ` (first: ${s.firstError})` : ""}`
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

const home = mkdtempSync(join(tmpdir(), "igm-bench-http-"))
try {
  const ours = await benchServer(home)
  const sdk = await benchSdk()
  const echo = await benchEcho(home)
  const rate = (st: Stats) => st.requests / st.seconds
  const ratio = rate(ours) / rate(echo)
  console.log(
    `HTTP load: ${SESSIONS} sessions, tools/call check_generation_status, ${DURATION_S} s measured after ${WARMUP_S} s warm-up (bun ${Bun.version}, loopback, keep-alive)`,
  )
  console.log(`  bearer auth: ${ours.auth}`)
  console.log(`  event store: ${ours.eventStore}`)
  console.log(line("image-generation-mcp", ours))
  console.log(line("minimal MCP SDK server", sdk))
  console.log(line("Bun.serve JSON echo", echo))
  console.log(`  throughput ratio ${(ratio * 100).toFixed(0)}% of the echo (target ≥ 50%)`)
  console.log(
    `  for scale: the minimal SDK server is ${((rate(sdk) / rate(echo)) * 100).toFixed(0)}% of the echo; ` +
      `image-generation-mcp is ${((rate(ours) / rate(sdk)) * 100).toFixed(0)}% of the minimal SDK server`,
  )
  console.log(
    `  server RSS: idle ${mib(ours.rssIdle)}, under load mean ${mib(ours.rssMean)} / peak ${mib(ours.rssPeak)}` +
      ` (first ${mib(ours.rssFirst)}, last ${mib(ours.rssLast)})` +
      `   (echo: idle ${mib(echo.rssIdle)}, peak ${mib(echo.rssPeak)})`,
  )
  if (ours.errors + sdk.errors + echo.errors > 0) process.exitCode = 1
} finally {
  rmSync(home, { recursive: true, force: true })
}
