// The shared PostgreSQL or S3 going away while three replicas run: calls fail at once with a clear error (no hang, no
// crash), nothing is left half-written, and the replicas work again by themselves once the service is back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { openS3BlobStore } from "@/storage/s3-blobs"
import { type PostgresServer, startPostgres } from "../helpers/postgres"
import { waitFor, waitForValue } from "../helpers/wait"
import { BLOB_STORE_URL, type Deployment, type McpSession, replicaSkipReason, startDeployment } from "./deployment"

const DB_DOWN = "The database is not reachable right now; try again shortly."

/** Every object in the bucket belongs to an image the gallery lists (its original or its sidecar). */
async function expectNoStrayObjects(deployment: Deployment, gallery: string[]): Promise<void> {
  const objects = await openS3BlobStore(BLOB_STORE_URL, deployment.s3.env).list("")
  const owners = new Set(objects.map((name) => name.slice(0, 12)))
  expect([...owners].sort()).toEqual([...gallery].sort())
}

/** Waits until `session` answers a search again, then returns the gallery it lists. */
async function recovered(session: McpSession): Promise<string[]> {
  await waitForValue(async () => {
    const { isError } = await session.call("search_images", { query: "anything" })
    return isError ? undefined : true
  }, "the replica to reach the database again")
  return session.galleryIds()
}

describe.skipIf(replicaSkipReason !== undefined)("outages under three replicas", () => {
  let postgres: PostgresServer
  beforeAll(async () => {
    postgres = await startPostgres()
  })
  afterAll(async () => {
    await postgres?.[Symbol.asyncDispose]()
  })

  test("a PostgreSQL restart: every replica fails calls clearly meanwhile, keeps running, and recovers by itself", async () => {
    await using deployment = await startDeployment(postgres)
    const sessions = await Promise.all(deployment.replicas.list.map((r) => deployment.connect(r.url)))
    const [first] = sessions as [McpSession]
    const before = await first.generate("a gate before the outage")
    await first.settled(before)
    // A generation running on the WebUI when the database goes: its image has nowhere to be recorded.
    deployment.sd.set({ holdAtStep: 1 })
    const caught = await first.generate("a gate caught in the outage", "sd_webui")
    await waitFor(() => deployment.sd.jobs[0]?.status === "active", "the WebUI to run the job")

    await postgres.stop()
    try {
      deployment.sd.release()
      for (const session of sessions) {
        expect(await session.call("search_images", { query: "gate" })).toEqual({
          isError: true,
          text: `[server] ${DB_DOWN}`,
        })
        const during = await session.call("generate_image", { prompt: "a gate during the outage" })
        expect(during).toMatchObject({ isError: true, text: expect.stringContaining(DB_DOWN) })
        await expect(session.readText("image://list")).rejects.toThrow(DB_DOWN)
      }
      for (const replica of deployment.replicas.list) {
        expect(replica.server.proc.exitCode).toBeNull()
        expect((await fetch(new URL("/healthz", replica.url))).status).toBe(503)
      }
      await waitFor(() => deployment.sd.jobs[0]?.status === "done", "the WebUI to finish the caught job")
    } finally {
      await postgres.start()
    }

    for (const session of sessions) expect(await recovered(session)).toEqual([before])
    // The caught job did not complete without its image: it is reported interrupted, and no object is left behind.
    for (const session of sessions) {
      expect(await session.settled(caught)).toMatchObject({ status: "failed", error: expect.any(String) })
    }
    await waitFor(
      async () =>
        (await openS3BlobStore(BLOB_STORE_URL, deployment.s3.env).list("")).every((n) => !n.startsWith(caught)),
      "the caught job's object to be removed",
    )
    await expectNoStrayObjects(deployment, [before])
    deployment.sd.set({ holdAtStep: undefined })
    const after = await Promise.all(sessions.map((s, i) => s.generate(`a gate after the outage ${i}`)))
    for (const [i, id] of after.entries()) expect(await sessions[i]?.settled(id)).toMatchObject({ status: "completed" })
    expect((await first.galleryIds()).sort()).toEqual([before, ...after].sort())
    await expectNoStrayObjects(deployment, [before, ...after])
  })

  test("S3 down during a generation: it fails clearly and lists nothing; once S3 is back, new generations work", async () => {
    await using deployment = await startDeployment(postgres)
    const [first, second] = deployment.replicas.list
    const runner = await deployment.connect(first?.url)
    const reader = await deployment.connect(second?.url)
    const before = await runner.generate("a mill before the outage")
    await runner.settled(before)
    deployment.sd.set({ holdAtStep: 1 })
    const caught = await runner.generate("a mill caught in the outage", "sd_webui")
    await waitFor(() => deployment.sd.jobs[0]?.status === "active", "the WebUI to run the job")

    await deployment.s3.stop()
    try {
      deployment.sd.release()
      const failed = await runner.settled(caught)
      expect(failed).toMatchObject({ status: "failed", error: expect.stringContaining("cannot be reached") })
      expect(await reader.status(caught)).toMatchObject({ status: "failed" })
      expect(await reader.galleryIds()).toEqual([before])
      await expect(reader.readBytes(`image://${before}/view`)).rejects.toThrow("cannot be reached")
      for (const replica of deployment.replicas.list) expect(replica.server.proc.exitCode).toBeNull()
    } finally {
      await deployment.s3.start()
    }

    deployment.sd.set({ holdAtStep: undefined })
    const after = await runner.generate("a mill after the outage", "sd_webui")
    expect(await runner.settled(after)).toMatchObject({ status: "completed" })
    expect((await reader.galleryIds()).sort()).toEqual([before, after].sort())
    expect((await reader.readBytes(`image://${after}/view`)).byteLength).toBeGreaterThan(0)
    await expectNoStrayObjects(deployment, [before, after])
  })
})
