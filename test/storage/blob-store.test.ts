// One contract for every blob store: the file store on a temp directory and the S3 store on s3rver.
import { describe, expect, test } from "bun:test"
import { createFileBlobStore } from "@/storage/file-blobs"
import { openS3BlobStore } from "@/storage/s3-blobs"
import type { BlobStore } from "@/storage/types"
import { type TempDir, tmpdir } from "../fixture/tmpdir"
import { type S3Server, startS3 } from "../helpers/s3"

interface Opened extends AsyncDisposable {
  blobs: BlobStore
  /** A second store on the same backing storage (another replica, a restart). */
  again(): BlobStore
}

async function fileStore(): Promise<Opened> {
  const dir = await tmpdir()
  return {
    blobs: createFileBlobStore(dir.path),
    again: () => createFileBlobStore(dir.path),
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  }
}

async function s3Store(): Promise<Opened> {
  const dir = await tmpdir()
  const s3 = await startS3(dir.path)
  const url = "s3://images/gallery"
  return {
    blobs: openS3BlobStore(url, s3.env),
    again: () => openS3BlobStore(url, s3.env),
    async [Symbol.asyncDispose]() {
      await s3[Symbol.asyncDispose]()
      await dir[Symbol.asyncDispose]()
    },
  }
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

describe.each([
  ["file", fileStore],
  ["s3", s3Store],
] as const)("%s blob store", (_name, open) => {
  test("writes, reads back bytes and text, and another store on the same storage sees them", async () => {
    await using store = await open()
    const { blobs } = store
    const png = bytes(70_000)
    await blobs.write("abc-original.png", png)
    await blobs.write("abc.json", '{"image_id":"abc","prompt":"ünïcode ✓"}')
    expect(same(await blobs.read("abc-original.png"), png)).toBe(true)
    expect(JSON.parse(await blobs.readText("abc.json")).prompt).toBe("ünïcode ✓")
    const other = store.again()
    expect(await other.exists("abc-original.png")).toBe(true)
    expect(same(await other.read("abc-original.png"), png)).toBe(true)
  })

  test("an overwrite replaces the whole blob; a large one (over S3's 5 MiB part size) arrives whole", async () => {
    await using store = await open()
    const { blobs } = store
    await blobs.write("x.png", bytes(1000, 1))
    const large = bytes(6 * 1024 * 1024 + 123, 2)
    await blobs.write("x.png", large)
    expect(same(await blobs.read("x.png"), large)).toBe(true)
    await blobs.write("x.png", bytes(10, 3))
    expect(same(await blobs.read("x.png"), bytes(10, 3))).toBe(true)
  })

  test("concurrent writes of one name leave one of them, whole", async () => {
    await using store = await open()
    const { blobs } = store
    const versions = [1, 2, 3, 4].map((seed) => bytes(200_000, seed))
    await Promise.all(versions.map((v) => blobs.write("race.png", v)))
    const read = await blobs.read("race.png")
    expect(versions.filter((v) => same(v, read))).toHaveLength(1)
  })

  test("exists, remove (a missing blob too) and list by suffix, sorted, without hidden names", async () => {
    await using store = await open()
    const { blobs } = store
    for (const name of ["b.json", "a.json", "a-original.png", "c.json"]) await blobs.write(name, "{}")
    expect(await blobs.list(".json")).toEqual(["a.json", "b.json", "c.json"])
    expect(await blobs.list("-original.png")).toEqual(["a-original.png"])
    await blobs.remove("b.json")
    await blobs.remove("never-was.json")
    expect(await blobs.exists("b.json")).toBe(false)
    expect(await blobs.exists("a.json")).toBe(true)
    expect(await blobs.list(".json")).toEqual(["a.json", "c.json"])
  })

  test("streams a blob with its size, read in chunks as it is consumed; a missing blob fails before any byte", async () => {
    await using store = await open()
    const { blobs } = store
    const large = bytes(3 * 1024 * 1024, 7)
    await blobs.write("big-original.png", large)
    const { body, size } = await blobs.stream("big-original.png")
    expect(size).toBe(large.length)
    const chunks: Uint8Array[] = []
    for await (const chunk of body) chunks.push(chunk)
    expect(chunks.length).toBeGreaterThan(1)
    expect(same(Buffer.concat(chunks), large)).toBe(true)
    const res = new Response((await blobs.stream("big-original.png")).body)
    expect(same(new Uint8Array(await res.arrayBuffer()), large)).toBe(true)
    await expect(blobs.stream("missing.png")).rejects.toThrow()
    await expect(blobs.stream("../x.png")).rejects.toThrow(/Invalid blob name/)
  })

  test("entries list names by suffix with when each was last written", async () => {
    await using store = await open()
    const { blobs } = store
    const start = Date.now()
    await blobs.write("b-original.png", bytes(10))
    await blobs.write("a.json", "{}")
    const entries = await blobs.entries("")
    expect(entries.map((e) => e.name)).toEqual(["a.json", "b-original.png"])
    for (const entry of entries) {
      // S3 keeps whole seconds.
      expect(entry.modifiedMs).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000 - 1000)
      expect(entry.modifiedMs).toBeLessThanOrEqual(Date.now() + 1000)
    }
    expect((await blobs.entries(".json")).map((e) => e.name)).toEqual(["a.json"])
  })

  test("refuses names that are not flat file names, and a missing blob cannot be read", async () => {
    await using store = await open()
    const { blobs } = store
    for (const name of ["../x.png", "a/b.png", "a\\b.png", ".hidden"]) {
      await expect(blobs.write(name, "x")).rejects.toThrow(/Invalid blob name/)
    }
    await expect(blobs.read("missing.png")).rejects.toThrow()
    await expect(blobs.readText("missing.json")).rejects.toThrow()
    expect(await blobs.list(".png")).toEqual([])
  })
})

describe("s3 blob store", () => {
  async function withS3(run: (s3: S3Server, dir: TempDir) => Promise<void>) {
    await using dir = await tmpdir()
    await using s3 = await startS3(dir.path, ["images", "other"])
    await run(s3, dir)
  }

  test("prefixes keep stores apart in one bucket; the bucket's root works too", async () => {
    await withS3(async (s3) => {
      const a = openS3BlobStore("s3://images/team-a", s3.env)
      const b = openS3BlobStore("s3://images/team-b/", s3.env)
      const root = openS3BlobStore("s3://images", s3.env)
      await a.write("one.json", "a")
      await b.write("one.json", "b")
      await root.write("top.json", "root")
      expect(await a.readText("one.json")).toBe("a")
      expect(await b.readText("one.json")).toBe("b")
      expect(await a.list(".json")).toEqual(["one.json"])
      // The root store lists its own level only, not the prefixes below it.
      expect(await root.list(".json")).toEqual(["top.json"])
      await a.ping()
    })
  })

  test("S3 down: every call fails as unavailable, naming the host; a failed write leaves nothing", async () => {
    await withS3(async (s3) => {
      const blobs = openS3BlobStore("s3://images/g", s3.env)
      await blobs.write("kept.json", "{}")
      await s3.stop()
      const host = new URL(s3.endpoint).host
      const down = { kind: "unavailable", code: "s3_unreachable" }
      await expect(blobs.write("new-original.png", bytes(1000))).rejects.toMatchObject(down)
      await expect(blobs.read("kept.json")).rejects.toMatchObject(down)
      await expect(blobs.exists("kept.json")).rejects.toMatchObject(down)
      await expect(blobs.list(".json")).rejects.toMatchObject(down)
      await expect(blobs.stream("kept.json")).rejects.toMatchObject(down)
      await expect(blobs.ping()).rejects.toThrow(`[storage] S3 at ${host} cannot be reached (ConnectionRefused)`)
      await s3.start()
      // Back: the same store works again by itself, and the write that failed left no object.
      expect(await blobs.list(".png")).toEqual([])
      expect(await blobs.exists("new-original.png")).toBe(false)
      expect(await blobs.readText("kept.json")).toBe("{}")
    })
  })

  test("a missing object is not_found when streamed", async () => {
    await withS3(async (s3) => {
      const blobs = openS3BlobStore("s3://images", s3.env)
      await expect(blobs.stream("missing.png")).rejects.toMatchObject({ kind: "not_found", code: "blob_not_found" })
    })
  })

  test("a bucket that does not exist, and an S3 that never answers, are unavailable with a reason", async () => {
    await withS3(async (s3) => {
      const missing = openS3BlobStore("s3://no-such-bucket", s3.env)
      await expect(missing.ping()).rejects.toMatchObject({ kind: "unavailable", code: "s3_no_bucket" })
      await expect(missing.ping()).rejects.toThrow("The S3 bucket 'no-such-bucket' does not exist")
    })
    // Accepts connections and never answers.
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } })
    try {
      const env = { S3_ENDPOINT: `http://127.0.0.1:${silent.port}`, S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" }
      const blobs = openS3BlobStore("s3://images", env, { timeoutMs: 300 })
      await expect(blobs.read("x.png")).rejects.toMatchObject({ kind: "unavailable", code: "s3_timeout" })
    } finally {
      silent.stop(true)
    }
  })

  test("configuration errors name what to fix and never echo a secret", () => {
    const env = { S3_ACCESS_KEY_ID: "AKIAEXAMPLE", S3_SECRET_ACCESS_KEY: "wJalrXUtnFEMI-secret" }
    const refused = (url: string, e: Record<string, string> = env) => {
      try {
        openS3BlobStore(url, e)
      } catch (error) {
        expect(error).toMatchObject({ kind: "invalid_input", code: "blob_store_config" })
        const message = (error as Error).message
        expect(message).not.toContain("wJalrXUtnFEMI-secret")
        return message
      }
      throw new Error(`${url} was accepted`)
    }
    expect(refused("https://bucket/x")).toContain("s3://bucket or s3://bucket/prefix")
    expect(refused("s3://bucket/x?versionId=1")).toContain("no query")
    expect(refused("s3://AKIA:wJalrXUtnFEMI-secret@bucket/x")).toContain("credentials do not belong in the s3:// URL")
    expect(refused("s3://Bad_Bucket/x")).toContain("'Bad_Bucket' is not a valid S3 bucket name")
    expect(refused("s3://bucket/a/../b")).toContain("'.' or '..' segments")
    expect(refused("s3://bucket", {})).toContain("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY")
    expect(refused("s3://bucket", { ...env, S3_ENDPOINT: "ftp://host" })).toContain("S3_ENDPOINT must be")
    // The AWS_* names work as well.
    const aws = { AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "eu-west-1" }
    expect(openS3BlobStore("s3://bucket/p", aws).where).toBe("s3://bucket/p at AWS (eu-west-1)")
  })
})
