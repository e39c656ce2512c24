// Generations across replica processes (on PostgreSQL + S3 behind HAProxy): a cancel sent to another replica stops
// the one running the job, and a replica killed outright has its jobs reported interrupted by the others once their
// lease has run out, while every image it completed stays.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type PostgresServer, startPostgres } from "../helpers/postgres"
import { waitFor, waitForValue } from "../helpers/wait"
import { replicaSkipReason, startDeployment } from "./deployment"

describe.skipIf(replicaSkipReason !== undefined)("generations across replicas", () => {
  let postgres: PostgresServer
  beforeAll(async () => {
    postgres = await startPostgres()
  })
  afterAll(async () => {
    await postgres?.[Symbol.asyncDispose]()
  })

  test("cancel_generation sent to another replica stops the job where it runs", async () => {
    await using deployment = await startDeployment(postgres)
    const [first, second] = deployment.replicas.list
    const runner = await deployment.connect(first?.url)
    const other = await deployment.connect(second?.url)
    deployment.sd.set({ holdAtStep: 1 })
    const id = await runner.generate("a slow harbour at dawn", "sd_webui")
    await waitFor(() => deployment.sd.jobs[0]?.status === "active", "the WebUI to run the job")

    expect(await other.json("cancel_generation", { image_id: id })).toEqual({ status: "cancelled", image_id: id })
    // The replica running it aborts its request at its next lease renewal and interrupts the WebUI's job.
    await waitFor(() => deployment.sd.jobs[0]?.interrupted === true, "the running replica to interrupt the WebUI")
    expect(deployment.sd.interrupts).toHaveLength(1)
    expect(await runner.settled(id)).toMatchObject({ status: "cancelled" })
    expect(await other.status(id)).toMatchObject({ status: "cancelled" })
    expect(await other.galleryIds()).not.toContain(id)
    expect(await runner.galleryIds()).not.toContain(id)
  })

  test("kill -9 of a replica during generations: the others report its jobs interrupted after the lease, nothing completed is lost", async () => {
    await using deployment = await startDeployment(postgres)
    const [doomed, second, third] = deployment.replicas.list as [
      (typeof deployment.replicas.list)[0],
      (typeof deployment.replicas.list)[0],
      (typeof deployment.replicas.list)[0],
    ]
    const onDoomed = await deployment.connect(doomed.url)
    const kept = [await onDoomed.generate("a finished lantern"), await onDoomed.generate("a finished kite")]
    for (const id of kept) expect(await onDoomed.settled(id)).toMatchObject({ status: "completed" })
    const originals = await Promise.all(kept.map((id) => onDoomed.readBytes(`image://${id}/view`)))

    deployment.sd.set({ holdAtStep: 1 })
    const running = [
      await onDoomed.generate("an unfinished tower", "sd_webui"),
      await onDoomed.generate("an unfinished bridge", "sd_webui"),
    ]
    // One runs on the WebUI, the other waits in its queue: both are generating on the replica about to die.
    await waitFor(() => deployment.sd.jobs.length === 2, "both requests to reach the WebUI")
    doomed.server.proc.kill("SIGKILL")
    expect(await doomed.server.exited).toBe(137)

    for (const replica of [second, third]) {
      const survivor = await deployment.connect(replica.url)
      for (const id of running) {
        const status = await waitForValue(async () => {
          const now = await survivor.status(id)
          return now.status === "generating" ? undefined : now
        }, `job ${id} to be reported interrupted once its lease expired`)
        expect(status).toMatchObject({
          status: "failed",
          error: expect.stringContaining("interrupted by a server restart"),
        })
      }
      const gallery = await survivor.galleryIds()
      expect(gallery).toEqual(expect.arrayContaining(kept))
      for (const id of running) expect(gallery).not.toContain(id)
      for (const [i, id] of kept.entries())
        expect(await survivor.readBytes(`image://${id}/view`)).toEqual(originals[i] as Uint8Array)
    }
    deployment.sd.release()
    // Through the proxy too: the dead replica is taken out and new generations work.
    const later = await deployment.connect()
    const after = await later.generate("made after the crash")
    expect(await later.settled(after)).toMatchObject({ status: "completed" })
  })
})
