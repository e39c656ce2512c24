// Status polls through HAProxy (packaging/haproxy/haproxy.cfg as shipped) in front of one replica and in front
// of three, in the same run, with one replica polled directly as the anchor. The replicas share one state
// directory (one SQLite file); N sessions (default 50) each loop tools/call check_generation_status on one
// finished job through bearer auth, as bench-http does. IMAGE_GENERATION_MCP_EVENT_STORE_URL, if set here, is
// passed on (memory:// takes the event store's writes off the shared database).
//   bun scripts/bench-replicas.ts [--duration 20] [--sessions 50] [--warmup 2]
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { drive, freePort, line, McpSession, mib, rate, type Stats, waitFor } from "./bench-http-lib"
import { CLI, ROOT } from "./bench-lib"

const HAPROXY = "/usr/sbin/haproxy"
const { values: args } = parseArgs({
  options: { duration: { type: "string" }, sessions: { type: "string" }, warmup: { type: "string" } },
})
const TIMING = {
  durationS: clamp(Number(args.duration ?? 20), 1, 600),
  warmupS: clamp(Number(args.warmup ?? 2), 0, 60),
}
const SESSIONS = clamp(Number(args.sessions ?? 50), 1, 200)
const EVENT_STORE = process.env.IMAGE_GENERATION_MCP_EVENT_STORE_URL

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
}

interface Replica {
  proc: Bun.Subprocess
  port: number
}

async function startReplica(home: string, token: string): Promise<Replica> {
  const port = await freePort()
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    IMAGE_GENERATION_MCP_READ_ONLY: "false",
    IMAGE_GENERATION_MCP_DEFAULT_PROVIDER: "placeholder",
    IMAGE_GENERATION_MCP_BEARER_TOKEN: token,
    IMAGE_GENERATION_MCP_LOG_LEVEL: "warning",
    ...(EVENT_STORE ? { IMAGE_GENERATION_MCP_EVENT_STORE_URL: EVENT_STORE } : {}),
  }
  const args = ["serve", "--transport", "http", "--host", "127.0.0.1", "--port", String(port)]
  const proc = Bun.spawn([process.execPath, CLI, ...args], { env, stdout: "ignore", stderr: "inherit" })
  await waitFor(`http://127.0.0.1:${port}/healthz`)
  return { proc, port }
}

async function startHaproxy(replicas: Replica[], log: string): Promise<{ proc: Bun.Subprocess; url: string }> {
  const port = await freePort()
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", MCP_LISTEN: `127.0.0.1:${port}` }
  replicas.forEach((r, i) => {
    env[`MCP_REPLICA_${i + 1}`] = `127.0.0.1:${r.port}`
  })
  const config = join(ROOT, "packaging", "haproxy", "haproxy.cfg")
  const proc = Bun.spawn([HAPROXY, "-db", "-f", config], { env, stdout: Bun.file(log), stderr: "inherit" })
  await waitFor(`http://127.0.0.1:${port}/healthz`)
  return { proc, url: `http://127.0.0.1:${port}/mcp` }
}

/** One finished job to poll: made by the placeholder provider through `url`. */
async function finishedJob(url: string, token: string): Promise<string> {
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

async function polls(url: string, token: string, imageId: string, pids: number[]): Promise<Stats> {
  const sessions = Array.from({ length: SESSIONS }, () => new McpSession(url, token))
  await Promise.all(sessions.map((s) => s.initialize()))
  const stats = await drive(pids, SESSIONS, TIMING, async (w) => {
    const result = await (sessions[w] as McpSession).call("check_generation_status", { image_id: imageId })
    if (result.isError || !result.text.includes('"completed"')) throw new Error(`unexpected: ${result.text}`)
  })
  await Promise.all(sessions.map((s) => s.close()))
  return stats
}

async function stop(proc: Bun.Subprocess): Promise<void> {
  proc.kill("SIGTERM")
  await proc.exited
}

if (!existsSync(HAPROXY)) {
  console.error(`${HAPROXY} is not installed (Debian package haproxy): nothing to measure.`)
  process.exit(1)
}
const home = mkdtempSync(join(tmpdir(), "igm-bench-replicas-"))
const token = crypto.randomUUID()
const replicas: Replica[] = []
try {
  // One after the other: the first creates the shared database.
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(home, token))
  const [first] = replicas as [Replica]
  const direct = `http://127.0.0.1:${first.port}/mcp`
  const imageId = await finishedJob(direct, token)
  const pids = (rs: Replica[]) => rs.map((r) => r.proc.pid)

  const alone = await polls(direct, token, imageId, pids([first]))
  const one = await startHaproxy([first], join(home, "haproxy-1.log"))
  const proxiedOne = await polls(one.url, token, imageId, [...pids([first]), one.proc.pid])
  await stop(one.proc)
  const three = await startHaproxy(replicas, join(home, "haproxy-3.log"))
  const proxiedThree = await polls(three.url, token, imageId, [...pids(replicas), three.proc.pid])
  await stop(three.proc)

  console.log(
    `Status polls: ${SESSIONS} sessions, tools/call check_generation_status, ${TIMING.durationS} s measured after ${TIMING.warmupS} s warm-up (bun ${Bun.version}, loopback, shared SQLite, event store ${EVENT_STORE ?? "in it"}, ${navigator.hardwareConcurrency} cores)`,
  )
  console.log(line("1 replica, direct", alone))
  console.log(line("HAProxy, 1 replica", proxiedOne))
  console.log(line("HAProxy, 3 replicas", proxiedThree))
  console.log(`  HAProxy with 1 replica: ${((rate(proxiedOne) / rate(alone)) * 100).toFixed(0)}% of the direct rate`)
  console.log(`  3 replicas / 1 replica through HAProxy: ${(rate(proxiedThree) / rate(proxiedOne)).toFixed(2)}×`)
  console.log(
    `  RSS under load (replicas + HAProxy): 1 replica ${mib(proxiedOne.rssMean)}, 3 replicas ${mib(proxiedThree.rssMean)}`,
  )
  for (const n of [1, 3]) {
    const events = readFileSync(join(home, `haproxy-${n}.log`), "utf8").match(/^Server replicas\/.* is (UP|DOWN).*$/gm)
    if (events) console.log(`  HAProxy with ${n}: ${events.join("\n    ")}`)
  }
  if (alone.errors + proxiedOne.errors + proxiedThree.errors > 0) process.exitCode = 1
} finally {
  await Promise.all(replicas.map((r) => stop(r.proc)))
  rmSync(home, { recursive: true, force: true })
}
