// Several server processes in HTTP mode sharing one state directory, and the load balancers shipped under
// packaging/ (HAProxy, nginx) started in front of them on free ports, as a deployment would run them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { CLI, ROOT } from "./cli"
import { freePort, spawnWatched, until, type Watched } from "./processes"

export const HAPROXY = "/usr/sbin/haproxy"
export const NGINX = "/usr/sbin/nginx"
export const HAPROXY_CONFIG = join(ROOT, "packaging", "haproxy", "haproxy.cfg")
export const NGINX_CONFIG = join(ROOT, "packaging", "nginx", "image-generation-mcp.conf")

export interface Replica {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string
  port: number
  server: Watched
  /** Session ids this replica opened so far (from its debug log). */
  sessions(): string[]
}

export interface Replicas extends AsyncDisposable {
  list: Replica[]
  /** The replica that opened `session`, if any did. */
  owner(session: string): Replica | undefined
}

/**
 * `count` servers (`serve --transport http` on ports that were free a moment before) over the same database and scratch dir in `dir`.
 * Resolves once every one answers its health check.
 */
export async function startReplicas(
  count: number,
  opts: { dir: string; env?: Record<string, string>; logLevel?: string },
): Promise<Replicas> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: opts.dir,
    IMAGE_GENERATION_MCP_SCRATCH_DIR: join(opts.dir, "images"),
    IMAGE_GENERATION_MCP_STYLES_DIR: join(opts.dir, "styles"),
    IMAGE_GENERATION_MCP_DB_PATH: join(opts.dir, "state.sqlite"),
    IMAGE_GENERATION_MCP_READ_ONLY: "false",
    IMAGE_GENERATION_MCP_PAID_PROVIDERS: "",
    IMAGE_GENERATION_MCP_LOG_LEVEL: opts.logLevel ?? "debug",
    ...opts.env,
  }
  const list: Replica[] = []
  const stop = async () => {
    for (const replica of list) replica.server.proc.kill("SIGTERM")
    await Promise.all(list.map((replica) => replica.server.exited))
  }
  try {
    // One at a time: the first one creates and migrates the database the others open.
    for (let i = 0; i < count; i++) {
      const args = ["serve", "--transport", "http", "--host", "127.0.0.1", "--port", String(freePort())]
      const server = spawnWatched([process.execPath, CLI, ...args], env)
      const url = await listeningUrl(server)
      const port = Number(new URL(url).port)
      list.push({ url, port, server, sessions: () => openedSessions(server.stderr()) })
      await until(() => healthy(`http://127.0.0.1:${port}`), `replica ${i + 1} to answer /healthz`)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    list,
    owner: (session) => list.find((replica) => replica.sessions().includes(session)),
    [Symbol.asyncDispose]: stop,
  }
}

async function listeningUrl(server: Watched): Promise<string> {
  const pattern = /MCP endpoint listening on (http:\/\/\S+?)"/
  await until(() => pattern.test(server.stderr()) || server.proc.exitCode !== null, "a replica to listen")
  const url = pattern.exec(server.stderr())?.[1]
  if (!url) throw new Error(`a replica did not start:\n${server.stderr()}`)
  return url
}

function openedSessions(stderr: string): string[] {
  return [...stderr.matchAll(/"message":"MCP session opened","session":"([^"]+)"/g)].map((m) => m[1] ?? "")
}

function healthy(origin: string): Promise<boolean> {
  return fetch(`${origin}/healthz`).then(
    (r) => r.ok,
    () => false,
  )
}

export interface Balancer extends AsyncDisposable {
  /** The MCP endpoint through the balancer. */
  url: string
  proc: Watched
  /** The balancer's request log so far. */
  log(): string
}

/** HAProxy with packaging/haproxy/haproxy.cfg as shipped, its addresses given through the environment. */
export async function startHaproxy(replicas: Replica[]): Promise<Balancer> {
  const port = freePort()
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", MCP_LISTEN: `127.0.0.1:${port}` }
  replicas.forEach((replica, i) => {
    env[`MCP_REPLICA_${i + 1}`] = `127.0.0.1:${replica.port}`
  })
  const proc = spawnWatched([HAPROXY, "-db", "-f", HAPROXY_CONFIG], env)
  // The shipped configuration logs to stdout, as a container expects.
  return balancer(proc, port, replicas.length, () => proc.stdout())
}

/**
 * nginx with packaging/nginx/image-generation-mcp.conf included in a minimal main configuration under `dir`;
 * its listen port and its upstream servers are replaced by the test's (the lines an operator edits).
 */
export async function startNginx(replicas: Replica[], dir: string): Promise<Balancer> {
  const port = freePort()
  const prefix = join(dir, "nginx")
  mkdirSync(prefix, { recursive: true })
  writeFileSync(join(prefix, "site.conf"), nginxSite(port, replicas))
  writeFileSync(join(prefix, "nginx.conf"), nginxMain(prefix))
  const args = ["-p", prefix, "-e", "stderr", "-c", join(prefix, "nginx.conf"), "-g", "daemon off;"]
  const proc = spawnWatched([NGINX, ...args], {
    PATH: process.env.PATH ?? "",
  })
  const log = join(prefix, "access.log")
  return balancer(proc, port, replicas.length, () => (existsSync(log) ? readFileSync(log, "utf8") : ""))
}

/** The shipped site configuration with the test's port and replicas (a, b, c… in order). */
export function nginxSite(port: number, replicas: Replica[]): string {
  let site = readFileSync(NGINX_CONFIG, "utf8").replace(/listen 8080;/, `listen 127.0.0.1:${port};`)
  const names = ["a", "b", "c", "d"]
  const shipped = [...site.matchAll(/^upstream mcp_(\w+) \{\n\s+server (\S+);/gm)]
  if (replicas.length !== shipped.length)
    throw new Error(`the shipped nginx configuration lists ${shipped.length} replicas`)
  shipped.forEach((match, i) => {
    if (match[1] !== names[i]) throw new Error(`unexpected upstream mcp_${match[1]}`)
    site = site.replace(`server ${match[2]};`, `server 127.0.0.1:${replicas[i]?.port};`)
  })
  return site
}

/** A main configuration that keeps everything nginx writes under `prefix` and runs as the current user. */
export function nginxMain(prefix: string): string {
  return [
    `pid ${join(prefix, "nginx.pid")};`,
    // Workers of a root master would run as nobody, who cannot write under a private temp dir.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "error_log stderr notice;",
    "events { worker_connections 1024; }",
    "http {",
    "  log_format routed '$upstream_addr \"$request\" {$http_mcp_session_id}';",
    `  access_log ${join(prefix, "access.log")} routed;`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${join(prefix, t)};`),
    `  include ${join(prefix, "site.conf")};`,
    "}",
    "",
  ].join("\n")
}

async function balancer(proc: Watched, port: number, replicas: number, log: () => string): Promise<Balancer> {
  const origin = `http://127.0.0.1:${port}`
  const stop = async () => {
    proc.proc.kill("SIGTERM")
    await proc.exited
  }
  try {
    // Up once the health answer comes through it (HAProxy marks a server up after its first check).
    await until(async () => {
      if (proc.proc.exitCode !== null) throw new Error(`the load balancer exited:\n${proc.stderr()}`)
      return healthy(origin)
    }, `the load balancer in front of ${replicas} replica(s)`)
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `${origin}/mcp`, proc, log, [Symbol.asyncDispose]: stop }
}

/** True (after saying what is skipped and why) when `binary` is not installed; for describe.skipIf. */
export function skipWithout(binary: string, what: string): boolean {
  if (existsSync(binary)) return false
  const pkg = binary === NGINX ? "nginx-light" : "haproxy"
  console.warn(
    `SKIPPED ${what}: ${binary} is not installed (Debian package ${pkg}; the test command installs it as root)`,
  )
  return true
}
