// Spawned processes for the signal and launcher tests: stderr that can be waited on, a line-based JSON-RPC client
// over stdio, and the checks that follow a stop (process gone, port free, state on disk intact).
import { Database } from "bun:sqlite"
import { expect } from "bun:test"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { MIGRATIONS } from "@/assets"

/** Polls `check` every 10 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await Bun.sleep(10)
  }
}

export interface Watched {
  proc: Bun.Subprocess<"pipe", "pipe", "pipe">
  /** Everything written to stderr / stdout so far. */
  stderr(): string
  stdout(): string
  /** Resolves once stderr contains `needle`. */
  waitForStderr(needle: string, timeoutMs?: number): Promise<void>
  /** JSON-RPC request over stdin/stdout (one JSON object per line); resolves with the response. */
  request(method: string, params?: Record<string, unknown>): Promise<{ result?: unknown; error?: unknown }>
  notify(method: string, params?: Record<string, unknown>): void
  /** Exit code, or 128 + the signal number when a signal ended it. */
  exited: Promise<number>
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }

/**
 * Spawns `cmd` with exactly `env`, stdout/stderr piped. stdin is a pipe too unless `stdin` names a file descriptor
 * (then `request` and `notify` cannot be used): Bun closes a pipe it created when the process it spawned exits.
 */
export function spawnWatched(cmd: string[], env: Record<string, string>, stdin?: number): Watched {
  const proc = Bun.spawn(cmd, { env, stdin: stdin ?? "pipe", stdout: "pipe", stderr: "pipe" }) as Watched["proc"]
  let stderr = ""
  const stderrRead = (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk)
  })()
  const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>()
  let stdout = ""
  const stdoutRead = (async () => {
    let lines = ""
    for await (const chunk of proc.stdout) {
      const text = new TextDecoder().decode(chunk)
      stdout += text
      lines += text
      let newline = lines.indexOf("\n")
      while (newline >= 0) {
        const line = lines.slice(0, newline)
        lines = lines.slice(newline + 1)
        const message = line.startsWith("{") ? JSON.parse(line) : undefined
        if (typeof message?.id === "number") pending.get(message.id)?.(message)
        newline = lines.indexOf("\n")
      }
    }
  })()
  let nextId = 1
  const send = (message: Record<string, unknown>) => {
    proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
    proc.stdin.flush()
  }
  return {
    proc,
    stderr: () => stderr,
    stdout: () => stdout,
    waitForStderr: (needle, timeoutMs) => until(() => stderr.includes(needle), `'${needle}' on stderr`, timeoutMs),
    request(method, params) {
      const id = nextId++
      const answered = new Promise<{ result?: unknown; error?: unknown }>((resolve) => pending.set(id, resolve))
      send({ id, method, params })
      return answered
    },
    notify: (method, params) => send({ method, params }),
    // After the output is read to its end, so stdout() and stderr() are complete then.
    exited: Promise.all([proc.exited, stdoutRead, stderrRead]).then(([code]) =>
      proc.signalCode ? 128 + (SIGNAL_NUMBERS[proc.signalCode] ?? 0) : code,
    ),
  }
}

/** initialize + initialized, as an MCP client starts a session. */
export async function handshake(server: Watched): Promise<void> {
  const reply = await server.request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "signals-test", version: "1" },
  })
  expect(reply.error).toBeUndefined()
  server.notify("notifications/initialized")
}

/** Whether `pid` has exited (a zombie not yet reaped by its new parent counts as exited). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false
  } catch {
    return true
  }
}

/** The pids of `pid`'s children (Linux). */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim()
  return text ? text.split(/\s+/).map(Number) : []
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const port = server.port as number
  server.stop(true)
  return port
}

/** Whether `/healthz` on 127.0.0.1:`port` answers 200. */
export function healthy(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  )
}

/** Whether nothing listens on 127.0.0.1:`port` (binding it succeeds). */
export function portFree(port: number): boolean {
  try {
    Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response() }).stop(true)
    return true
  } catch {
    return false
  }
}

/**
 * After a stop: the database passes `PRAGMA integrity_check` and carries one of `versions` (never a partial
 * migration), the scratch dir holds no temp file, and every image row has its original and sidecar.
 */
export function expectStateIntact(dbPath: string, scratchDir: string, versions = [MIGRATIONS.length]): void {
  const db = new Database(dbPath, { readonly: true })
  try {
    expect(db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check).toBe("ok")
    const version = db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? -1
    expect(versions).toContain(version)
    const rows = db.query<{ image_id: string; original_filename: string }, []>(
      "SELECT image_id, original_filename FROM images",
    )
    for (const row of rows.all()) {
      expect(existsSync(join(scratchDir, row.original_filename))).toBe(true)
      expect(existsSync(join(scratchDir, `${row.image_id}.json`))).toBe(true)
    }
  } finally {
    db.close()
  }
  const names = existsSync(scratchDir) ? readdirSync(scratchDir) : []
  expect(names.filter((n) => n.endsWith(".tmp"))).toEqual([])
}

/** One value of the database, read and closed again. */
export function queryOne<T>(dbPath: string, sql: string): T | null {
  const db = new Database(dbPath, { readonly: true })
  try {
    return db.query<T, []>(sql).get()
  } finally {
    db.close()
  }
}
