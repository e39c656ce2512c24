// Three replicas on one PostgreSQL database and one S3 bucket behind HAProxy: what one replica made, every replica
// serves; many clients at once each keep their session on one replica; a download link is spent exactly once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type PostgresServer, startPostgres } from "../helpers/postgres"
import { type Deployment, McpSession, replicaSkipReason, startDeployment } from "./deployment"

describe.skipIf(replicaSkipReason !== undefined)("three replicas sharing PostgreSQL and S3", () => {
  let postgres: PostgresServer
  let deployment: Deployment
  beforeAll(async () => {
    postgres = await startPostgres()
    deployment = await startDeployment(postgres)
  })
  afterAll(async () => {
    await deployment?.[Symbol.asyncDispose]()
    await postgres?.[Symbol.asyncDispose]()
  })

  test("an image generated through one replica is listed, readable and found from the others", async () => {
    const [first, second, third] = deployment.replicas.list.map((r) => r.url) as [string, string, string]
    const maker = await deployment.connect(first)
    const id = await maker.generate("a copper weathervane on a barn")
    expect(await maker.settled(id)).toMatchObject({ status: "completed" })
    const original = await maker.readBytes(`image://${id}/view`)
    expect(original.byteLength).toBeGreaterThan(0)

    for (const url of [second, third]) {
      const reader = await deployment.connect(url)
      expect(await reader.galleryIds()).toContain(id)
      expect(await reader.readBytes(`image://${id}/view`)).toEqual(original)
      const metadata = JSON.parse(await reader.readText(`image://${id}/metadata`))
      expect(metadata).toMatchObject({ prompt: "a copper weathervane on a barn", provider: "placeholder" })
      expect(metadata.original_filename).toStartWith(`${id}-original.`)
      const found = await reader.json<{ items: { image_id: string }[] }>("search_images", { query: "weathervane" })
      expect(found.items.map((item) => item.image_id)).toEqual([id])
      expect(await reader.status(id)).toMatchObject({ status: "completed" })
    }
  })

  test("20 clients through the proxy at once: each generates, polls and reads on the replica holding its session", async () => {
    const run = async (n: number) => {
      await using session = await McpSession.open(deployment.haproxy.url)
      const id = await session.generate(`lighthouse number ${n}`)
      const status = await session.settled(id)
      const bytes = await session.readBytes(`image://${id}/view`)
      return { session: session.sessionId, id, status: status.status, bytes: bytes.byteLength }
    }
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => run(n)))
    expect(results.map((r) => r.status)).toEqual(Array(20).fill("completed"))
    expect(results.every((r) => r.bytes > 0)).toBe(true)
    expect(new Set(results.map((r) => r.id)).size).toBe(20)

    // Every session was opened by one replica, and sessions spread over all three.
    const owners = results.map((r) => deployment.replicas.owner(r.session)?.port)
    expect(owners.every((port) => port !== undefined)).toBe(true)
    expect(new Set(owners).size).toBe(3)
    // HAProxy's log: every request of a session went to one server.
    const lines = [...deployment.haproxy.log().matchAll(/replicas\/(\S+) .*?\{([^}]*)\} \{([^}]*)\} "/g)]
    for (const { session } of results) {
      const servers = new Set(
        lines.filter(([, , sent, issued]) => sent === session || issued === session).map((m) => m[1]),
      )
      expect(servers.size).toBe(1)
    }
    const anywhere = await deployment.connect(deployment.replicas.list[2]?.url)
    expect(await anywhere.galleryIds()).toEqual(expect.arrayContaining(results.map((r) => r.id)))
  })

  test("one download link fetched 30 times at once across the replicas is served exactly once", async () => {
    const session = await deployment.connect()
    const id = await session.generate("a brass key")
    await session.settled(id)
    const original = await session.readBytes(`image://${id}/view`)
    const link = await session.json<{ url: string }>("create_download_link", { ref: id })
    const path = new URL(link.url).pathname
    const origins = deployment.replicas.list.map((r) => new URL(r.url).origin)
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const response = await fetch(`${origins[i % origins.length]}${path}`)
        return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) }
      }),
    )
    const served = answers.filter((a) => a.status === 200)
    expect(served).toHaveLength(1)
    expect(served[0]?.body as Uint8Array).toEqual(original)
    // The others: 409 while another request holds the link, 404 once it is spent (src/http/transfer.ts).
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect([404, 409]).toContain(refused.status)
      const body = JSON.parse(new TextDecoder().decode(refused.body))
      const refusal = refused.status === 404 ? "Not found" : "This link is in use by another request; retry shortly."
      expect(body).toEqual({ error: refusal })
    }
    for (const origin of origins) expect((await fetch(`${origin}${path}`)).status).toBe(404)
  })
})
