// Shared pieces of the benchmark scripts: medians and a raw stdio MCP handshake timer.
import { join } from "node:path"

export const ROOT = join(import.meta.dir, "..")
export const CLI = join(ROOT, "src", "cli", "index.ts")

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`
}

const HANDSHAKE = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
]
  .map((m) => JSON.stringify(m))
  .join("\n")

/**
 * Spawns `cmd`, sends initialize + tools/list on stdin, and resolves once the tools/list answer arrives, with
 * the process still running and the ms that took.
 */
export async function spawnAnswered(
  cmd: string[],
  env: Record<string, string>,
): Promise<{ proc: Bun.Subprocess<"pipe", "pipe", "ignore">; elapsed: number }> {
  const started = performance.now()
  const proc = Bun.spawn(cmd, { env, stdin: "pipe", stdout: "pipe", stderr: "ignore" })
  proc.stdin.write(`${HANDSHAKE}\n`)
  proc.stdin.flush()
  const reader = proc.stdout.getReader()
  let buffered = ""
  while (!buffered.includes('"id":2')) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`server exited before answering: ${cmd.join(" ")}`)
    buffered += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return { proc, elapsed: performance.now() - started }
}

/** Spawns `cmd`, sends initialize + tools/list on stdin, and returns ms until the tools/list answer arrives. */
export async function timeHandshake(cmd: string[], env: Record<string, string>): Promise<number> {
  const { proc, elapsed } = await spawnAnswered(cmd, env)
  proc.stdin.end()
  proc.kill()
  await proc.exited
  return elapsed
}

/** Median ms of `runs` calls after one warm-up call. */
export async function medianTime(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await fn()
    samples.push(performance.now() - started)
  }
  return median(samples)
}

/** Watches the event loop with a 1 ms ticker; `stop()` returns the worst delay beyond 1 ms. */
export function stallMonitor(): { stop(): number } {
  let worst = 0
  let last = performance.now()
  const ticker = setInterval(() => {
    const now = performance.now()
    worst = Math.max(worst, now - last - 1)
    last = now
  }, 1)
  return {
    stop() {
      clearInterval(ticker)
      return worst
    },
  }
}
