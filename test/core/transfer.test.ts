import { describe, expect, test } from "bun:test"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { ImageNotFoundError, InvalidArgumentError, InvalidImageError } from "@/core/errors"
import type { Services } from "@/core/services"
import { type TransferLease, TransferService } from "@/core/transfer/service"
import { hashToken, TOKEN_PATTERN } from "@/core/transfer/tokens"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"
import { openTestStorage } from "../helpers/storage"

/** A service over the test services with a clock the test moves (epoch seconds). */
function transferService(services: Services) {
  const clock = { now: 1_000_000 }
  const transfers = new TransferService({
    store: services.store.transfers,
    images: services.images,
    imports: services.imports,
    config: services.config.transfer,
    maxInputImageBytes: services.config.maxInputImageBytes,
    now: () => clock.now,
  })
  return { transfers, clock }
}

async function claimed(transfers: TransferService, token: string, kind: "download" | "upload") {
  const outcome = await transfers.claim(token, kind)
  if (outcome.outcome !== "claimed") throw new Error(`expected a claim, got ${outcome.outcome}`)
  return outcome.lease
}

describe("minting", () => {
  test("tokens are 32 random bytes as URL-safe base64, stored only as their SHA-256", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const image = await addImage(env.services, quadrantPng(8, 8))
    const links = await Promise.all([transfers.createDownloadLink(image.id), transfers.createUploadLink("a.png")])
    for (const { token } of links) {
      expect(token).toMatch(TOKEN_PATTERN)
      expect(Buffer.from(token, "base64url")).toHaveLength(32)
      expect(await env.services.store.transfers.get(hashToken(token))).toMatchObject({ status: "available" })
    }
    expect(links[0]?.token).not.toBe(links[1]?.token)
    await env.services.storage.close()
    // Every file of the database (main, WAL, shared memory) is free of the raw tokens.
    const names = (await readdir(env.dir.path)).filter((n) => n.startsWith("state.sqlite"))
    const files = await Promise.all(names.map((n) => Bun.file(join(env.dir.path, n)).arrayBuffer()))
    const text = files.map((bytes) => Buffer.from(bytes).toString("latin1")).join("\n")
    for (const { token } of links) {
      expect(text).not.toContain(token)
      expect(text).toContain(hashToken(token))
    }
  })

  test("TTL: default, clamp to the maximum, non-positive refused", async () => {
    await using env = await startServices({
      env: { IMAGE_GENERATION_MCP_TRANSFER_TTL_DEFAULT_S: "120", IMAGE_GENERATION_MCP_TRANSFER_TTL_MAX_S: "600" },
    })
    const { transfers, clock } = transferService(env.services)
    expect((await transfers.createUploadLink("x")).expiresInS).toBe(120)
    expect((await transfers.createUploadLink("x", null)).expiresInS).toBe(120)
    expect((await transfers.createUploadLink("x", 30)).expiresInS).toBe(30)
    const clamped = await transfers.createUploadLink("x", 10_000)
    expect(clamped.expiresInS).toBe(600)
    expect((await env.services.store.transfers.get(hashToken(clamped.token)))?.expiresAt).toBe(clock.now + 600)
    for (const bad of [0, -5]) {
      await expect(transfers.createUploadLink("x", bad)).rejects.toThrow(InvalidArgumentError)
    }
    await expect(transfers.createUploadLink("x", 0)).rejects.toThrow(
      "The link TTL must be a positive number of seconds",
    )
  })

  test("download links take image://<id>[/...] or a bare id of an existing image", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const { id } = await addImage(env.services, quadrantPng(8, 8))
    for (const ref of [id, `image://${id}/view`, `image://${id}`, `image://${id}/view?format=webp`]) {
      const { token } = await transfers.createDownloadLink(ref)
      expect((await env.services.store.transfers.get(hashToken(token)))?.sinkHandle).toBe(id)
    }
    for (const ref of ["nope", "image:///view", "ABCDEF012345", "https://x/y.png"]) {
      await expect(transfers.createDownloadLink(ref)).rejects.toThrow(
        `Invalid image reference '${ref}'; expected image://<id> or a 12-hex id.`,
      )
    }
    await expect(transfers.createDownloadLink("0123456789ab")).rejects.toThrow(ImageNotFoundError)
  })

  test("upload links accept PNG/JPEG/WebP names or no extension; the sink is always `upload`", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    for (const ref of ["photo.png", "PHOTO.JPG", "a.jpeg", "dir.d/b.WebP", "noext", ""]) {
      const { token } = await transfers.createUploadLink(ref)
      expect((await env.services.store.transfers.get(hashToken(token)))?.sinkHandle).toBe("upload")
    }
    await expect(transfers.createUploadLink("notes.txt")).rejects.toThrow(
      "Unsupported upload type '.txt'; expected a PNG/JPEG/WEBP image.",
    )
    await expect(transfers.createUploadLink("anim.GIF")).rejects.toThrow("Unsupported upload type '.GIF'")
  })

  test("the upload cap is the smaller of the transfer cap and the image cap", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_MAX_INPUT_IMAGE_BYTES: "5000" } })
    expect(transferService(env.services).transfers.uploadCap).toBe(5000)
    await using other = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFER_MAX_UPLOAD_BYTES: "4000" } })
    expect(transferService(other.services).transfers.uploadCap).toBe(4000)
  })
})

describe("the state machine", () => {
  test("available → in_flight → consumed; a live claim conflicts; a spent link is not found", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const { token } = await transfers.createUploadLink("a.png")
    const lease = await claimed(transfers, token, "upload")
    expect(lease).toMatchObject({ kind: "upload", sinkHandle: "upload", fence: 1, tag: hashToken(token).slice(0, 8) })
    expect((await transfers.claim(token, "upload")).outcome).toBe("conflict")
    expect((await transfers.claim(token, "download")).outcome).toBe("not_found")
    expect(await transfers.complete(lease)).toBe(true)
    expect((await env.services.store.transfers.get(hashToken(token)))?.status).toBe("consumed")
    expect((await transfers.claim(token, "upload")).outcome).toBe("not_found")
    expect(await transfers.complete(lease)).toBe(false)
  })

  test("unknown, malformed and wrong-kind tokens are all not_found", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const { token } = await transfers.createUploadLink("a.png")
    expect((await transfers.claim(token, "download")).outcome).toBe("not_found")
    expect((await transfers.claim("A".repeat(43), "upload")).outcome).toBe("not_found")
    expect((await transfers.claim("../../etc", "upload")).outcome).toBe("not_found")
    expect((await transfers.claim(token, "upload")).outcome).toBe("claimed")
  })

  test("completing shrinks the remaining TTL to the grace window, never lengthens it", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFER_GRACE_TTL_S: "60" } })
    const { transfers, clock } = transferService(env.services)
    const long = await transfers.createUploadLink("a", 3600)
    const short = await transfers.createUploadLink("b", 30)
    await transfers.complete(await claimed(transfers, long.token, "upload"))
    await transfers.complete(await claimed(transfers, short.token, "upload"))
    const get = (token: string) => env.services.store.transfers.get(hashToken(token))
    expect((await get(long.token))?.expiresAt).toBe(clock.now + 60)
    expect((await get(short.token))?.expiresAt).toBe(clock.now + 30)
  })

  test("a released link is usable again; a stale fence cannot release or complete", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const { token } = await transfers.createUploadLink("a.png")
    const first = await claimed(transfers, token, "upload")
    await transfers.release(first)
    expect((await env.services.store.transfers.get(hashToken(token)))?.status).toBe("available")
    const second = await claimed(transfers, token, "upload")
    expect(second.fence).toBe(first.fence + 1)
    await transfers.release(first)
    expect(await transfers.complete(first)).toBe(false)
    expect((await transfers.claim(token, "upload")).outcome).toBe("conflict")
    expect(await transfers.complete(second)).toBe(true)
  })

  test("a lapsed lease (crashed handler) may be reclaimed; the old holder then loses", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFER_LEASE_S: "60" } })
    const { transfers, clock } = transferService(env.services)
    const { token } = await transfers.createUploadLink("a.png")
    const crashed = await claimed(transfers, token, "upload")
    clock.now += 59
    expect((await transfers.claim(token, "upload")).outcome).toBe("conflict")
    clock.now += 1
    const retry = await claimed(transfers, token, "upload")
    expect(await transfers.complete(crashed)).toBe(false)
    expect(await transfers.complete(retry)).toBe(true)
  })

  test("expired links are not found and swept (minting sweeps too)", async () => {
    await using env = await startServices()
    const { transfers, clock } = transferService(env.services)
    const { token } = await transfers.createUploadLink("a.png", 10)
    clock.now += 10
    expect((await transfers.claim(token, "upload")).outcome).toBe("not_found")
    expect(await env.services.store.transfers.get(hashToken(token))).toBeDefined()
    await transfers.createUploadLink("b.png")
    expect(await env.services.store.transfers.get(hashToken(token))).toBeUndefined()
    expect(await transfers.sweep()).toBe(0)
  })

  test("of 50 concurrent claims, across two connections to one database, exactly one wins", async () => {
    await using env = await startServices()
    const { transfers, clock } = transferService(env.services)
    await using other = await openTestStorage(env.dir.path)
    const rival = new TransferService({
      store: other.store.transfers,
      images: env.services.images,
      imports: env.services.imports,
      config: env.config.transfer,
      maxInputImageBytes: env.config.maxInputImageBytes,
      now: () => clock.now,
    })
    const { token } = await transfers.createUploadLink("a.png", 3600)
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? rival : transfers).claim(token, "upload")),
    )
    expect(outcomes.filter((o) => o.outcome === "claimed")).toHaveLength(1)
    expect(outcomes.filter((o) => o.outcome === "conflict")).toHaveLength(49)
  })
})

describe("sinks", () => {
  test("a download reads the original with its content type and <id><ext> name", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const bytes = quadrantPng(8, 8)
    const { id } = await addImage(env.services, bytes)
    const lease = await claimed(transfers, (await transfers.createDownloadLink(id)).token, "download")
    const download = await transfers.read(lease)
    expect(download).toMatchObject({ size: bytes.length, contentType: "image/png", filename: `${id}.png` })
    expect(new Uint8Array(await new Response(download.body).arrayBuffer())).toEqual(new Uint8Array(bytes))
    await env.services.images.delete(id)
    await expect(transfers.read(lease)).rejects.toThrow(ImageNotFoundError)
  })

  test("an upload becomes an imported image with origin_source `upload`; non-images are refused", async () => {
    await using env = await startServices()
    const { transfers } = transferService(env.services)
    const lease: TransferLease = await claimed(transfers, (await transfers.createUploadLink("a")).token, "upload")
    const result = await transfers.write(lease, quadrantPng(10, 6))
    expect(result).toEqual({ image_id: expect.any(String), uri: `image://${result.image_id}/view`, origin: "imported" })
    const record = await env.services.images.require(result.image_id)
    expect(record).toMatchObject({ origin: "imported", originSource: "upload", width: 10, height: 6 })
    await expect(transfers.write(lease, new TextEncoder().encode("not an image"))).rejects.toThrow(InvalidImageError)
  })
})
