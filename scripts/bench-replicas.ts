// Status polls through HAProxy (packaging/haproxy/haproxy.cfg as shipped) in front of one replica and in front
// of three, with one replica polled directly as the anchor, as a shared deployment runs them: every replica on one
// PostgreSQL database (a throwaway local server, test/helpers/postgres.ts) and, with --s3, one S3 bucket (s3rver in
// this process; polls do not touch it). Each round measures the three setups back to back; the medians over the
// rounds and the median of the per-round ratios are printed. N sessions (default 50) each loop tools/call
// check_generation_status on one finished job through bearer auth, as bench-http does.
// IMAGE_GENERATION_MCP_EVENT_STORE_URL, if set here, is passed on (memory:// takes the event store's writes off
// the shared database).
//   bun scripts/bench-replicas.ts [--duration 10] [--sessions 50] [--warmup 2] [--rounds 3] [--s3]
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { type PostgresServer, postgresSkipReason, startPostgres } from "../test/helpers/postgres"
import { type S3Server, startS3 } from "../test/helpers/s3"
import { drive, finishedJob, freePort, line, McpSession, mib, rate, type Stats, waitFor } from "./bench-http-lib"
import { CLI, median, ROOT } from "./bench-lib"

const HAPROXY = "/usr/sbin/haproxy"
const { values: args } = parseArgs({
  options: {
    duration: { type: "string" },
    sessions: { type: "string" },
    warmup: { type: "string" },
    rounds: { type: "string" },
    s3: { type: "boolean" },
  },
})
const TIMING = {
  durationS: clamp(Number(args.duration ?? 10), 1, 600),
  warmupS: clamp(Number(args.warmup ?? 2), 0, 60),
}
const SESSIONS = clamp(Number(args.sessions ?? 50), 1, 200)
const ROUNDS = clamp(Number(args.rounds ?? 3), 1, 20)
const EVENT_STORE = process.env.IMAGE_GENERATION_MCP_EVENT_STORE_URL

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
}

interface Replica {
  proc: Bun.Subprocess
  port: number
}

async function startReplica(home: string, token: string, shared: Record<string, string>): Promise<Replica> {
  const port = await freePort()
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    ...shared,
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
if (postgresSkipReason) {
  console.error(`PostgreSQL cannot run here (${postgresSkipReason}): nothing to measure.`)
  process.exit(1)
}
const home = mkdtempSync(join(tmpdir(), "igm-bench-replicas-"))
const token = crypto.randomUUID()
const replicas: Replica[] = []
const balancers: Bun.Subprocess[] = []
let postgres: PostgresServer | undefined
let s3: S3Server | undefined
try {
  postgres = await startPostgres()
  const shared: Record<string, string> = { IMAGE_GENERATION_MCP_DATABASE_URL: await postgres.createDatabase() }
  if (args.s3) {
    s3 = await startS3(join(home, "s3"))
    Object.assign(shared, s3.env, { IMAGE_GENERATION_MCP_BLOB_STORE_URL: "s3://images/gallery" })
  }
  // One after the other: the first migrates the shared database.
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(home, token, shared))
  const [first] = replicas as [Replica]
  const direct = `http://127.0.0.1:${first.port}/mcp`
  const imageId = await finishedJob(direct, token)
  const pids = (rs: Replica[]) => rs.map((r) => r.proc.pid)
  const one = await startHaproxy([first], join(home, "haproxy-1.log"))
  const three = await startHaproxy(replicas, join(home, "haproxy-3.log"))
  balancers.push(one.proc, three.proc)

  const runs: { alone: Stats; one: Stats; three: Stats }[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const alone = await polls(direct, token, imageId, pids([first]))
    const proxiedOne = await polls(one.url, token, imageId, [...pids([first]), one.proc.pid])
    const proxiedThree = await polls(three.url, token, imageId, [...pids(replicas), three.proc.pid])
    runs.push({ alone, one: proxiedOne, three: proxiedThree })
    console.error(
      `round ${round + 1}/${ROUNDS}: direct ${rate(alone).toFixed(0)}, HAProxy+1 ${rate(proxiedOne).toFixed(0)}, HAProxy+3 ${rate(proxiedThree).toFixed(0)} polls/s`,
    )
  }

  const storage = s3 ? "PostgreSQL + S3 (s3rver)" : "PostgreSQL, image files per replica"
  console.log(
    `Status polls: ${SESSIONS} sessions, tools/call check_generation_status, ${TIMING.durationS} s measured after ${TIMING.warmupS} s warm-up, ${ROUNDS} rounds (bun ${Bun.version}, loopback, ${storage}, event store ${EVENT_STORE ?? "in the database"}, ${navigator.hardwareConcurrency} cores)`,
  )
  const middle = (pick: (run: (typeof runs)[0]) => Stats) =>
    runs.map(pick).sort((a, b) => rate(a) - rate(b))[Math.floor(runs.length / 2)] as Stats
  console.log(
    line(
      "1 replica, direct",
      middle((r) => r.alone),
    ),
  )
  console.log(
    line(
      "HAProxy, 1 replica",
      middle((r) => r.one),
    ),
  )
  console.log(
    line(
      "HAProxy, 3 replicas",
      middle((r) => r.three),
    ),
  )
  const ratio = (f: (run: (typeof runs)[0]) => number) => median(runs.map(f))
  const overProxy = runs.map((r) => (rate(r.three) / rate(r.one)).toFixed(2)).join(", ")
  console.log(
    `  HAProxy with 1 replica: ${(ratio((r) => rate(r.one) / rate(r.alone)) * 100).toFixed(0)}% of the direct rate (median of the rounds)`,
  )
  console.log(
    `  3 replicas / 1 replica through HAProxy: ${ratio((r) => rate(r.three) / rate(r.one)).toFixed(2)}× (rounds: ${overProxy})`,
  )
  console.log(
    `  RSS under load (replicas + HAProxy, last round): 1 replica ${mib(runs.at(-1)?.one.rssMean ?? 0)}, 3 replicas ${mib(runs.at(-1)?.three.rssMean ?? 0)}`,
  )
  for (const n of [1, 3]) {
    const events = readFileSync(join(home, `haproxy-${n}.log`), "utf8").match(/^Server replicas\/.* is (UP|DOWN).*$/gm)
    if (events) console.log(`  HAProxy with ${n}: ${events.join("\n    ")}`)
  }
  if (runs.some((r) => r.alone.errors + r.one.errors + r.three.errors > 0)) process.exitCode = 1
} finally {
  await Promise.all([...balancers, ...replicas.map((r) => r.proc)].map(stop))
  await s3?.[Symbol.asyncDispose]()
  await postgres?.[Symbol.asyncDispose]()
  rmSync(home, { recursive: true, force: true })
}
