// An S3 image store on s3rver: objects whose image row never committed are swept after the grace; committed
// images never are; a delete never leaves a listed image without its object.
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { runImport } from "@/cli/import-command"
import { ORPHAN_GRACE_S } from "@/core/images/orphans"
import { openS3BlobStore } from "@/storage/s3-blobs"
import { quadrantPng } from "../fixture/images"
import { writePythonImage } from "../fixture/python-scratch"
import { type TempDir, tmpdir } from "../fixture/tmpdir"
import { addImage } from "../helpers/gallery"
import { type S3Server, startS3 } from "../helpers/s3"
import { startServices, testConfig } from "../helpers/services"
import { waitFor } from "../helpers/wait"

const URL = "s3://images/g"
const HOUR_MS = 3_600_000

async function withS3(run: (s3: S3Server, env: Record<string, string>, dir: TempDir) => Promise<void>) {
  await using dir = await tmpdir()
  await using s3 = await startS3(join(dir.path, "s3"))
  await run(s3, { ...s3.env, IMAGE_GENERATION_MCP_BLOB_STORE_URL: URL }, dir)
}

/** What a crash between the object write and the row commit leaves: an original and its sidecar, no row. */
async function crashedWrite(s3: S3Server, id: string): Promise<string[]> {
  const bucket = openS3BlobStore(URL, s3.env)
  const names = [`${id}-original.png`, `${id}.json`]
  await bucket.write(names[0] as string, quadrantPng(4, 4))
  await bucket.write(names[1] as string, JSON.stringify({ id }))
  return names
}

describe("orphan objects on S3", () => {
  test("an object whose row never committed is removed once past the grace; committed images never are", async () => {
    await withS3(async (s3, env, dir) => {
      await using server = await startServices({ dir, env })
      const { images } = server.services
      const kept = await addImage(server.services, quadrantPng(8, 8))
      const orphans = await crashedWrite(s3, "0123456789ab")
      const bucket = openS3BlobStore(URL, s3.env)
      await bucket.write("notes.txt", "not ours")
      const names = async () => (await bucket.list("")).sort()

      // Young: it may be another replica's commit in flight.
      expect(await images.sweepOrphans()).toEqual([])
      expect(await images.sweepOrphans(ORPHAN_GRACE_S, () => Date.now() + HOUR_MS - 60_000)).toEqual([])
      expect(await names()).toEqual([...orphans, `${kept.id}-original.png`, `${kept.id}.json`, "notes.txt"].sort())

      // Past the grace: the orphan goes; the committed image and objects that are not images stay.
      const later = () => Date.now() + HOUR_MS + 60_000
      expect((await images.sweepOrphans(ORPHAN_GRACE_S, later)).sort()).toEqual(orphans.sort())
      expect(await names()).toEqual([`${kept.id}-original.png`, `${kept.id}.json`, "notes.txt"].sort())
      // A second replica sweeping the same bucket finds nothing more to do.
      expect(await images.sweepOrphans(ORPHAN_GRACE_S, later)).toEqual([])
      expect((await images.readOriginal(kept)).length).toBe(kept.originalSizeBytes)
    })
  })

  test("the server sweeps at start-up; with files the scratch dir is still imported instead", async () => {
    await withS3(async (s3, env, dir) => {
      const orphans = await crashedWrite(s3, "a0a0a0a0a0a0")
      await using server = await startServices({ dir, env, deps: { orphans: { graceS: 0 } } })
      const kept = await addImage(server.services, quadrantPng(8, 8))
      const bucket = openS3BlobStore(URL, s3.env)
      await waitFor(async () => !(await bucket.exists(orphans[0] as string)), "the start-up sweep")
      expect(await bucket.exists(orphans[1] as string)).toBe(false)
      expect(await bucket.exists(kept.originalFilename)).toBe(true)
    })
    // Files: an original with its sidecar and no row is a gallery image to import, as the Python server's are.
    await using dir = await tmpdir()
    await writePythonImage(join(dir.path, "images"), "b00000000001", {})
    await using files = await startServices({ dir, deps: { orphans: { graceS: 0 } } })
    expect((await files.services.images.list()).map((r) => r.id)).toEqual(["b00000000001"])
  })

  test("a delete removes the row first: with S3 down the image is gone from the gallery, its objects swept later", async () => {
    await withS3(async (s3, env, dir) => {
      await using server = await startServices({ dir, env })
      const { images } = server.services
      const image = await addImage(server.services, quadrantPng(8, 8))
      await s3.stop()
      // Objects first would have failed here and kept the row; the row goes first, so the delete succeeds.
      await images.delete(image.id)
      expect(await images.get(image.id)).toBeUndefined()
      expect((await images.list()).map((r) => r.id)).not.toContain(image.id)
      await s3.start()
      const bucket = openS3BlobStore(URL, s3.env)
      expect(await bucket.exists(image.originalFilename)).toBe(true)
      const later = () => Date.now() + HOUR_MS + 60_000
      expect((await images.sweepOrphans(ORPHAN_GRACE_S, later)).sort()).toEqual(
        [image.originalFilename, `${image.id}.json`].sort(),
      )
    })
  })

  test("a scratch dir is not imported into an S3 gallery at start-up; `import <dir>` copies it into the bucket", async () => {
    await withS3(async (s3, env, dir) => {
      await writePythonImage(join(dir.path, "images"), "c00000000001", {})
      {
        await using server = await startServices({ dir, env })
        // Its original is a local file, not an object: a row would be an image listed without its object.
        expect(await server.services.images.list()).toEqual([])
      }
      expect(await runImport(testConfig(dir.path, env), join(dir.path, "images"))).toBe(0)
      await using server = await startServices({ dir, env })
      const record = await server.services.images.require("c00000000001")
      const bucket = openS3BlobStore(URL, s3.env)
      expect(await bucket.list("")).toEqual([record.originalFilename, "c00000000001.json"].sort())
      expect((await server.services.images.readOriginal(record)).length).toBe(record.originalSizeBytes)
    })
  })
})
