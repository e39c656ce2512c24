import { describe, expect, test } from "bun:test"
import { readHeader } from "@/core/transform/header"
import { probeImage, verifyImage } from "@/core/transform/probe"
import { gifBomb, jpegBomb, pngBomb, webpBomb } from "../fixture/bombs"
import { quadrantPng } from "../fixture/images"

const CAP = 40_000_000

describe("header probe", () => {
  test("reads format, size and alpha of real images without decoding", async () => {
    const png = quadrantPng(30, 20)
    expect(readHeader(png)).toEqual({ format: "png", width: 30, height: 20, hasAlpha: true })
    const jpeg = await new Bun.Image(png).jpeg().bytes()
    expect(readHeader(jpeg)).toEqual({ format: "jpeg", width: 30, height: 20, hasAlpha: false })
    const lossy = await new Bun.Image(png).webp({ quality: 80 }).bytes()
    expect(readHeader(lossy)).toMatchObject({ format: "webp", width: 30, height: 20 })
    const lossless = await new Bun.Image(png).webp({ lossless: true }).bytes()
    expect(readHeader(lossless)).toMatchObject({ format: "webp", width: 30, height: 20 })
    const gif = await Bun.file(new URL("../../../shared/bench-images/probe_256.gif", import.meta.url))
      .bytes()
      .catch(() => undefined)
    if (gif) expect(readHeader(gif)).toMatchObject({ format: "gif", width: 256, height: 256 })
  })

  test.each([
    ["PNG", pngBomb(), "100000x100000 (10000000000 pixels)"],
    ["JPEG", jpegBomb(), "65000x65000 (4225000000 pixels)"],
    ["WebP VP8X", webpBomb("VP8X"), "16384x16384 (268435456 pixels)"],
    ["WebP VP8L", webpBomb("VP8L"), "16384x16384 (268435456 pixels)"],
    ["WebP VP8", webpBomb("VP8 "), "16383x16383 (268402689 pixels)"],
    ["GIF", gifBomb(), "65535x65535 (4294836225 pixels)"],
  ])("a %s header declaring a huge canvas is refused before decoding", async (_format, bytes, declared) => {
    const started = performance.now()
    expect(() => probeImage(bytes, CAP, "upload")).toThrow(
      `The upload declares ${declared}, more than the 40000000-pixel limit (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).`,
    )
    await expect(verifyImage(bytes, CAP, "upload")).rejects.toThrow("more than the 40000000-pixel limit")
    expect(performance.now() - started).toBeLessThan(50)
  })

  test("random bytes, empty input and a cut-off header are not images", () => {
    for (const bytes of [
      new Uint8Array(),
      crypto.getRandomValues(new Uint8Array(512)),
      quadrantPng(8, 8).subarray(0, 20),
    ]) {
      expect(() => probeImage(bytes, CAP)).toThrow("The image is not a decodable image.")
    }
  })

  test("a truncated body passes the header probe but not the decode", async () => {
    const png = quadrantPng(64, 64)
    const cut = png.subarray(0, Math.floor(png.length / 2))
    expect(probeImage(cut, CAP).width).toBe(64)
    await expect(verifyImage(cut, CAP)).rejects.toThrow("The image is not a decodable image.")
  })
})
