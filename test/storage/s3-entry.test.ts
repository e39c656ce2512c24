// BLOB_STORE_URL=s3://… through the storage entry point and the whole server, against s3rver.
import { expect, test } from "bun:test"
import { join } from "node:path"
import { ConfigError } from "@/config/config"
import { openS3BlobStore } from "@/storage/s3-blobs"
import { tmpdir } from "../fixture/tmpdir"
import { startS3 } from "../helpers/s3"
import { startServices } from "../helpers/services"
import { openTestStorage } from "../helpers/storage"

const URL_KEY = "IMAGE_GENERATION_MCP_BLOB_STORE_URL"

test("an s3:// image store opens with the S3_* settings; a second server reads what the first wrote", async () => {
  await using dir = await tmpdir()
  await using s3 = await startS3(join(dir.path, "s3"))
  const env = { ...s3.env, [URL_KEY]: "s3://images/gallery" }
  await using first = await openTestStorage(dir.path, env)
  expect(first.drivers).toEqual({ database: "sqlite", blobs: "s3" })
  expect(first.where.blobs).toBe("s3://images/gallery")
  await first.blobs.write("aaaaaaaaaaaa.json", '{"prompt":"kept"}')
  await using second = await openTestStorage(dir.path, env)
  expect(await second.blobs.readText("aaaaaaaaaaaa.json")).toBe('{"prompt":"kept"}')
  // The objects live under the URL's prefix in the bucket, not in the scratch dir.
  expect(await openS3BlobStore("s3://images/gallery", s3.env).list(".json")).toEqual(["aaaaaaaaaaaa.json"])
  expect(await Bun.file(join(dir.path, "images", "aaaaaaaaaaaa.json")).exists()).toBe(false)
})

test("a generated image is stored in the bucket and read back from it", async () => {
  await using dir = await tmpdir()
  await using s3 = await startS3(join(dir.path, "s3"))
  await using env = await startServices({ dir, env: { ...s3.env, [URL_KEY]: "s3://images" } })
  const { generation, jobs, images } = env.services
  const started = await generation.start(await generation.prepare({ prompt: "a red kite", provider: "placeholder" }))
  await jobs.idle()
  expect(await jobs.get(started.image_id)).toMatchObject({ status: "completed" })
  const bucket = openS3BlobStore("s3://images", s3.env)
  const stored = await bucket.list("")
  expect(stored).toContain(`${started.image_id}.json`)
  const original = stored.find((name) => name.startsWith(`${started.image_id}-original.`)) as string
  expect(original).toBeDefined()
  const record = await images.get(started.image_id)
  expect(record?.originalFilename).toBe(original)
})

test("an s3:// image store without credentials stops start-up naming the settings, not opening anything", async () => {
  await using dir = await tmpdir()
  const error = await openTestStorage(dir.path, { [URL_KEY]: "s3://gallery-bucket/images" }).catch((e) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as Error).message).toBe(
    `${URL_KEY}=s3://gallery-bucket/images: S3 blob store: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) must be set.`,
  )
})
