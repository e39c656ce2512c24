// HTTP load: N sessions (default 50) each initialize, then loop tools/call check_generation_status on one job id
// for DURATION_S (default 30) through bearer auth. Anchors in the same run: the same load against a bare
// Bun.serve JSON echo (the ratio's anchor), and against a minimal MCP SDK server (same transport, one trivial
// tool, no event store: what the SDK alone costs). Every server runs in a child process on loopback; the load
// comes from this process over keep-alive fetch. Reports req/s, p50/p99 latency, errors, and RSS.
//   bun scripts/bench-http.ts [--duration 30] [--sessions 50] [--warmup 2]
// IMAGE_GENERATION_MCP_EVENT_STORE_URL, if set here, is passed on (e.g. memory:// to compare).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { drive, freePort, line, McpSession, mib, PROTOCOL, rate, rss, type Stats, waitFor } from "./bench-http-lib"
import { CLI, ROOT } from "./bench-lib"

const { values: args } = parseArgs({
  options: { duration: { type: "string" }, sessions: { type: "string" }, warmup: { type: "string" } },
})
const DURATION_S = clamp(Number(args.duration ?? process.env.DURATION_S ?? 30), 1, 600)
const SESSIONS = clamp(Number(args.sessions ?? process.env.SESSIONS ?? 50), 1, 200)
const WARMUP_S = clamp(Number(args.warmup ?? process.env.WARMUP_S ?? 2), 0, 60)
const ACCEPT = "application/json, text/event-stream"
const TIMING = { warmupS: WARMUP_S, durationS: DURATION_S }

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
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
    return await drive(proc.pid, SESSIONS, TIMING, async (w) => {
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
    const stats = await drive(proc.pid, SESSIONS, TIMING, async (w) => {
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

const home = mkdtempSync(join(tmpdir(), "igm-bench-http-"))
try {
  const ours = await benchServer(home)
  const sdk = await benchSdk()
  const echo = await benchEcho(home)
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
