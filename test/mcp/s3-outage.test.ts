// S3 (s3rver) stopped under a running server and started again: clear errors, nothing half-written, and the
// same server works again by itself.
import { expect, test } from "bun:test"
import { join } from "node:path"
import { openS3BlobStore } from "@/storage/s3-blobs"
import { tmpdir } from "../fixture/tmpdir"
import { connect } from "../helpers/mcp"
import { startS3 } from "../helpers/s3"

const DOWN =
  /\[storage\] S3 at 127\.0\.0\.1:\d+ cannot be reached \(ConnectionRefused\); the image store is unavailable until it is back\./

test("while S3 is down reads say so, a generation fails leaving no row or object; back up, the same server works", async () => {
  await using dir = await tmpdir()
  await using s3 = await startS3(join(dir.path, "s3"))
  await using env = await connect({ dir, env: { ...s3.env, IMAGE_GENERATION_MCP_BLOB_STORE_URL: "s3://images/g" } })
  const { generation, jobs, images } = env.services
  const generate = async (prompt: string) => {
    const started = await generation.start(await generation.prepare({ prompt, provider: "placeholder" }))
    await jobs.idle()
    return started.image_id
  }
  const kept = await generate("a lighthouse before the outage")
  const keptRecord = await images.require(kept)
  const bucket = openS3BlobStore("s3://images/g", s3.env)
  const objectsBefore = await bucket.list("")

  await s3.stop()
  // Reads of an image that exists: "unavailable", never "not found".
  await expect(images.readOriginal(keptRecord)).rejects.toMatchObject({ kind: "unavailable", code: "s3_unreachable" })
  await expect(images.readSidecar(kept)).rejects.toMatchObject({ kind: "unavailable", code: "s3_unreachable" })
  await expect(env.services.imports.resolveReference(kept)).rejects.toMatchObject({ kind: "unavailable" })
  await expect(env.client.readResource({ uri: `image://${kept}/view` })).rejects.toThrow(DOWN)
  await expect(env.client.readResource({ uri: `image://${kept}/metadata` })).rejects.toThrow(DOWN)
  const full = await env.call("gallery_full_image", { image_id: kept })
  expect(full.isError).toBe(true)
  expect(env.text(full)).toMatch(DOWN)
  expect(env.text(full)).not.toContain("not found")

  // A generation while S3 is down fails with the reason and leaves nothing listed.
  const count = await images.count()
  const failed = await generate("a lighthouse during the outage")
  const job = await jobs.get(failed)
  expect(job?.status).toBe("failed")
  expect(job?.error).toMatch(DOWN)
  expect(await images.get(failed)).toBeUndefined()
  expect(await images.count()).toBe(count)
  // The list shows the failed generation as failed, never as an image.
  const listed = JSON.parse(await env.readText("image://list")) as { image_id: string; status: string }[]
  expect(listed.filter((item) => item.status === "completed").map((item) => item.image_id)).toEqual([kept])
  expect(listed.find((item) => item.image_id === failed)?.status).toBe("failed")

  await s3.start()
  // The same server, without a restart: reads and generations work again; the failed one left no object.
  expect((await images.readOriginal(keptRecord)).length).toBe(keptRecord.originalSizeBytes)
  expect(JSON.parse(await env.readText(`image://${kept}/metadata`)).id).toBe(kept)
  const after = await generate("a lighthouse after the outage")
  expect((await jobs.get(after))?.status).toBe("completed")
  const objectsAfter = await bucket.list("")
  expect(objectsAfter.filter((name) => name.startsWith(failed))).toEqual([])
  expect(objectsAfter.filter((name) => !objectsBefore.includes(name)).every((name) => name.startsWith(after))).toBe(
    true,
  )
})
