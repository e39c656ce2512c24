// A throwaway PostgreSQL server for the storage tests: Debian's server binaries (the postgresql-15 package, which
// `npm test` installs when missing: scripts/ensure-system-packages.mjs), a cluster initialised in a temporary
// directory, run as an unprivileged user (PostgreSQL refuses to run as root: as root the server runs as `nobody`),
// listening on 127.0.0.1 at a free port, and removed afterwards.

import { existsSync, readdirSync } from "node:fs"
import { chown, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SQL } from "bun"
import { waitFor } from "./wait"

const ROOT = "/usr/lib/postgresql"
const UNPRIVILEGED = { uid: 65534, gid: 65534, name: "nobody" }

/** The newest installed server's bin directory. */
function binDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(join(ROOT, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] && join(ROOT, versions[0], "bin")
}

const BIN = binDir()
const asRoot = process.getuid?.() === 0

/** Why PostgreSQL tests cannot run here; undefined when they can. */
export const postgresSkipReason: string | undefined =
  process.platform !== "linux"
    ? "PostgreSQL tests run on Linux only"
    : BIN === undefined
      ? `PostgreSQL server binaries not found under ${ROOT} (Debian package postgresql-15; npm test installs it as root)`
      : asRoot && !existsSync("/usr/bin/setpriv")
        ? "running as root without setpriv (util-linux) to start PostgreSQL as an unprivileged user"
        : undefined

if (postgresSkipReason) console.error(`Skipping PostgreSQL tests: ${postgresSkipReason}`)

export interface PostgresServer extends AsyncDisposable {
  readonly port: number
  /** A URL for `database` (default: the server's own `postgres` database). */
  url(database?: string): string
  /** Creates a new, empty database and returns its URL. */
  createDatabase(): Promise<string>
  /** Fast shutdown: connections are closed, the data stays. */
  stop(): Promise<void>
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>
}

const running = new Set<Bun.Subprocess>()
process.on("exit", () => {
  for (const proc of running) proc.kill("SIGQUIT")
})

function command(args: string[]): string[] {
  if (!asRoot) return args
  const { uid, gid } = UNPRIVILEGED
  return ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--", ...args]
}

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } })
  const { port } = probe
  probe.stop(true)
  return port
}

/** Initialises and starts a server; call only when `postgresSkipReason` is undefined. */
export async function startPostgres(): Promise<PostgresServer> {
  if (!BIN) throw new Error(postgresSkipReason)
  const dir = await mkdtemp(join(tmpdir(), "igm-pg-"))
  if (asRoot) await chown(dir, UNPRIVILEGED.uid, UNPRIVILEGED.gid)
  const data = join(dir, "data")
  const init = Bun.spawn(
    command([join(BIN, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
    { stdout: "ignore", stderr: "pipe", env: { ...process.env, LC_ALL: "C.UTF-8" } },
  )
  if ((await init.exited) !== 0) {
    await rm(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${await new Response(init.stderr).text()}`)
  }
  const port = await freePort()
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`
  let server: Bun.Subprocess | undefined
  let databases = 0

  const start = async () => {
    const args = [join(BIN, "postgres"), "-D", data, "-p", String(port), "-k", dir]
    const settings = ["listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off"]
    const proc = Bun.spawn(command([...args, ...settings.flatMap((s) => ["-c", s]), "-c", "max_connections=300"]), {
      stdout: "ignore",
      stderr: "ignore",
    })
    server = proc
    running.add(proc)
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}`)
      const sql = new SQL(url(), { max: 1, connectionTimeout: 2 })
      try {
        await sql`SELECT 1`
        return true
      } catch {
        return false
      } finally {
        await sql.close({ timeout: 0 })
      }
    }, "PostgreSQL to accept connections")
  }
  const stop = async () => {
    const proc = server
    if (!proc) return
    server = undefined
    proc.kill("SIGINT")
    await proc.exited
    running.delete(proc)
  }

  await start()
  return {
    port,
    url,
    async createDatabase() {
      const name = `test_${++databases}`
      const admin = new SQL(url(), { max: 1 })
      try {
        await admin.unsafe(`CREATE DATABASE ${name}`)
      } finally {
        await admin.close()
      }
      return url(name)
    },
    stop,
    start,
    async [Symbol.asyncDispose]() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
