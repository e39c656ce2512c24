// The load-balancer configurations shipped under packaging/, run for real in front of server processes: a session's
// requests all reach the replica that opened it, sessions spread over the replicas, and everything else goes anywhere.
import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { tmpdir } from "../fixture/tmpdir"
import {
  HAPROXY,
  NGINX,
  NGINX_CONFIG,
  nginxMain,
  type Replica,
  skipWithout,
  startHaproxy,
  startNginx,
  startReplicas,
} from "../helpers/replicas"
import { waitFor } from "../helpers/wait"
import { INITIALIZE, post } from "./helpers"

/** Opens a session through `url` and makes a few calls in it; returns the session id the client holds. */
async function busySession(url: string): Promise<string> {
  const transport = new StreamableHTTPClientTransport(new URL(url))
  const client = new Client({ name: "balancer-test", version: "1" })
  await client.connect(transport)
  for (let i = 0; i < 3; i++) expect((await client.listTools()).tools.length).toBeGreaterThan(0)
  const info = await client.callTool({ name: "get_server_info", arguments: {} })
  expect(info.isError).toBeFalsy()
  const id = transport.sessionId ?? ""
  await transport.terminateSession()
  await client.close()
  return id
}

/** The replicas that opened `sessions`, in order (the same replica may appear more than once). */
function owners(replicas: { owner(session: string): Replica | undefined }, sessions: string[]): (number | undefined)[] {
  return sessions.map((id) => replicas.owner(id)?.port)
}

async function unknownSession(url: string): Promise<Response> {
  const headers = { "mcp-session-id": "not-a-session", "mcp-protocol-version": INITIALIZE.params.protocolVersion }
  return fetch(url, post({ jsonrpc: "2.0", id: 9, method: "tools/list" }, headers))
}

describe.skipIf(skipWithout(HAPROXY, "the HAProxy configuration test"))(
  "HAProxy (packaging/haproxy/haproxy.cfg)",
  () => {
    test("keeps each session on the replica that opened it and spreads sessions and other requests", async () => {
      await using dir = await tmpdir()
      await using replicas = await startReplicas(3, { dir: dir.path })
      await using haproxy = await startHaproxy(replicas.list)

      const sessions = [await busySession(haproxy.url), await busySession(haproxy.url), await busySession(haproxy.url)]
      // Every call above succeeded, and a session exists only in the replica that opened it: each request reached it.
      const opened = owners(replicas, sessions)
      expect(opened.every((port) => port !== undefined)).toBe(true)
      expect(new Set(opened).size).toBe(3)

      // HAProxy's own log: every request carrying a session id went to one server, the one its answer came from.
      const origin = new URL(haproxy.url).origin
      for (let i = 0; i < 6; i++) expect((await fetch(`${origin}/healthz`)).status).toBe(200)
      const lines = await waitForLog(
        haproxy.log,
        (log) => requests(log).filter((r) => r.path === "/healthz").length >= 6,
      )
      for (const session of sessions) {
        const servers = new Set(lines.filter((r) => r.session === session || r.issued === session).map((r) => r.server))
        expect(servers.size).toBe(1)
      }
      // Requests without a session go to any replica.
      const health = new Set(lines.filter((r) => r.path === "/healthz").map((r) => r.server))
      expect(health.size).toBeGreaterThan(1)

      // Its health checks reach the replicas (and keep them in the pool).
      expect(haproxy.log()).not.toContain("is DOWN")

      // A session id no replica knows gets the server's own answer.
      const stray = await unknownSession(haproxy.url)
      expect(stray.status).toBe(404)
      expect(await stray.json()).toMatchObject({ error: { message: "Session not found" } })
    })
  },
)

describe.skipIf(skipWithout(NGINX, "the nginx configuration test"))(
  "nginx (packaging/nginx/image-generation-mcp.conf)",
  () => {
    test("passes nginx -t as shipped (included in an http block)", async () => {
      await using dir = await tmpdir()
      const prefix = dir.path
      await Bun.write(`${prefix}/site.conf`, Bun.file(NGINX_CONFIG))
      await Bun.write(`${prefix}/nginx.conf`, nginxMain(prefix))
      const check = Bun.spawnSync([NGINX, "-t", "-p", prefix, "-e", "stderr", "-c", `${prefix}/nginx.conf`])
      expect(check.stderr.toString()).toContain("test is successful")
      expect(check.exitCode).toBe(0)
    })

    test("routes a session by the replica tag in its id, hidden from the replica; sessions spread", async () => {
      await using dir = await tmpdir()
      await using replicas = await startReplicas(2, { dir: dir.path })
      await using nginx = await startNginx(replicas.list, dir.path)

      const tags = new Map<string, number | undefined>()
      // split_clients picks a replica per request at random: open sessions until both have some.
      for (let i = 0; i < 20 && new Set(tags.values()).size < 2; i++) {
        const held = await busySession(nginx.url)
        const [, issued = "", tag = ""] = /^(.+)\.([ab])$/.exec(held) ?? []
        // The replica saw (and opened) the id without the tag; the tag names that replica.
        const owner = replicas.owner(issued)
        expect(owner).toBeDefined()
        expect(replicas.list["ab".indexOf(tag)]).toBe(owner as Replica)
        tags.set(held, owner?.port)
      }
      expect(new Set(tags.values()).size).toBe(2)
      // nginx's log: every request carrying a tagged id went to the replica its tag names.
      const logged = [...nginx.log().matchAll(/^127\.0\.0\.1:(\d+) "\w+ \S+ [^"]*" \{[^}]*\.([ab])\}$/gm)]
      expect(logged.length).toBeGreaterThan(tags.size * 4)
      for (const [, port, tag = ""] of logged) expect(Number(port)).toBe(replicas.list["ab".indexOf(tag)]?.port ?? 0)

      const stray = await unknownSession(nginx.url)
      expect(stray.status).toBe(404)
      expect(stray.headers.get("mcp-session-id")).toBeNull()
    })
  },
)

interface LoggedRequest {
  server: string
  path: string
  /** The Mcp-Session-Id the request carried, and the one its answer carried. */
  session: string
  issued: string
}

/** HAProxy's httplog lines: `… replicas/<server> … {<request session id>} {<response session id>} "<method> <path> …"`. */
function requests(log: string): LoggedRequest[] {
  const line = /replicas\/(\S+) .*?\{([^}]*)\} \{([^}]*)\} "\w+ (\S+)/g
  return [...log.matchAll(line)].map(([, server = "", session = "", issued = "", path = ""]) => ({
    server,
    path,
    session,
    issued,
  }))
}

async function waitForLog(read: () => string, enough: (log: string) => boolean): Promise<LoggedRequest[]> {
  await waitFor(() => enough(read()), "HAProxy to log the requests")
  return requests(read())
}
