// The HTTP load pieces bench-http and bench-replicas share: a minimal Streamable HTTP client, the load loop
// with warm-up and RSS sampling, and the report line.
import { readFileSync } from "node:fs"

export const PROTOCOL = "2025-11-25"
const ACCEPT = "application/json, text/event-stream"

export interface LoadTiming {
  warmupS: number
  durationS: number
}

export interface Stats {
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
  /** CPU time (user + system) the servers used while measured, in ms. */
  cpuMs: number
  /** The measured window, epoch ms. */
  fromMs: number
  toMs: number
}

/** Resident set size of a child process in bytes (Linux /proc). */
export function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
  return Number(kb ?? 0) * 1024
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

export async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const port = probe.port ?? 0
  await probe.stop(true)
  return port
}

export async function waitFor(url: string, timeoutMs = 15_000): Promise<void> {
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

/** Drives `loop` from `workers` concurrent loops for warm-up + duration; samples the servers' RSS (summed). */
export async function drive(
  pids: number | number[],
  workers: number,
  timing: LoadTiming,
  loop: (worker: number) => Promise<void>,
): Promise<Stats> {
  const rssOf = () => [pids].flat().reduce((sum, pid) => sum + rss(pid), 0)
  const cpuOf = () => [pids].flat().reduce((sum, pid) => sum + cpuMs(pid), 0)
  const stats: Stats = {
    requests: 0,
    errors: 0,
    latencies: [],
    seconds: 0,
    rssIdle: rssOf(),
    rssPeak: 0,
    rssMean: 0,
    rssFirst: 0,
    rssLast: 0,
    cpuMs: 0,
    fromMs: 0,
    toMs: 0,
  }
  let measuring = false
  let stop = false
  const samples: number[] = []
  const sampler = setInterval(() => {
    if (!measuring) return
    const now = rssOf()
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
  await Bun.sleep(timing.warmupS * 1000)
  measuring = true
  const began = performance.now()
  const cpuBefore = cpuOf()
  stats.fromMs = Date.now()
  await Bun.sleep(timing.durationS * 1000)
  measuring = false
  stats.toMs = Date.now()
  stats.cpuMs = cpuOf() - cpuBefore
  stats.seconds = (performance.now() - began) / 1000
  stop = true
  await Promise.all(runners)
  clearInterval(sampler)
  stats.rssMean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)
  stats.rssFirst = samples[0] ?? 0
  stats.rssLast = samples.at(-1) ?? 0
  return stats
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** A minimal Streamable HTTP client: POST JSON-RPC, read the SSE (or JSON) answer for that id. */
export class McpSession {
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

export function line(label: string, s: Stats): string {
  const sorted = [...s.latencies].sort((a, b) => a - b)
  const rps = s.requests / s.seconds
  return `  ${label.padEnd(22)} ${rps.toFixed(0).padStart(7)} req/s   p50 ${percentile(sorted, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(2).padStart(6)} ms   errors ${s.errors}${s.firstError ? ` (first: ${s.firstError})` : ""}`
}

export const rate = (s: Stats) => s.requests / s.seconds

/** Server CPU time per request, in µs. */
export const cpuPerRequest = (s: Stats) => (s.cpuMs * 1000) / Math.max(1, s.requests)

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** One finished job to poll: made by the placeholder provider through `url`, waited on until it completes. */
export async function finishedJob(url: string, token: string): Promise<string> {
  const setup = new McpSession(url, token)
  await setup.initialize()
  const started = await setup.call("generate_image", { prompt: "a lighthouse at dusk", provider: "placeholder" })
  const imageId = (JSON.parse(started.text) as { image_id?: string }).image_id
  if (!imageId) throw new Error(`generate_image gave no image_id: ${started.text.slice(0, 200)}`)
  for (let i = 0; i < 200; i++) {
    const status = await setup.call("check_generation_status", { image_id: imageId })
    if (status.text.includes('"completed"')) break
    await Bun.sleep(50)
  }
  await setup.close()
  return imageId
}
