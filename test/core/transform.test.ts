import { describe, expect, test } from "bun:test"
import { InvalidArgumentError } from "@/core/errors"
import { parseViewParams } from "@/core/transform/params"
import { transformImage } from "@/core/transform/pipeline"
import { readPixels } from "@/core/transform/pixels"
import { probeImage } from "@/core/transform/probe"
import { quadrantPng, rgbaPng } from "../fixture/images"

const CAP = 40_000_000
const RED = [255, 0, 0, 255]
const GREEN = [0, 255, 0, 255]
const BLUE = [0, 0, 255, 255]
const WHITE = [255, 255, 255, 255]

async function run(source: Uint8Array, query: string, cap = CAP) {
  const out = await transformImage(source, probeImage(source, cap), parseViewParams(new URLSearchParams(query)), cap)
  const pixels = await readPixels(new Bun.Image(out.bytes))
  const at = (x: number, y: number) => [
    ...pixels.data.subarray((y * pixels.width + x) * 4, (y * pixels.width + x) * 4 + 4),
  ]
  const meta = await new Bun.Image(out.bytes).metadata()
  return { out, pixels, at, meta }
}

const near = (actual: number[], expected: number[], tolerance = 8) =>
  actual.every((v, i) => Math.abs(v - (expected[i] as number)) <= tolerance)

describe("view pipeline", () => {
  const source = quadrantPng(200, 100) // top-left red, top-right green, bottom-left blue, bottom-right white

  test("no parameters return the original bytes themselves", async () => {
    const out = await transformImage(
      source,
      probeImage(source, CAP),
      parseViewParams(new URLSearchParams("crop_x=5")),
      CAP,
    )
    expect(out.bytes).toBe(source)
  })

  test("rotate turns clockwise", async () => {
    const { at, meta } = await run(source, "rotate=90&format=png")
    expect(meta).toMatchObject({ width: 100, height: 200 })
    expect(at(10, 10)).toEqual(BLUE)
    expect(at(90, 10)).toEqual(RED)
    expect(at(90, 190)).toEqual(GREEN)
    expect(at(10, 190)).toEqual(WHITE)
    expect((await run(source, "rotate=270")).at(10, 10)).toEqual(GREEN)
    expect((await run(source, "rotate=180")).at(10, 10)).toEqual(WHITE)
    expect((await run(source, "rotate=-90")).at(10, 10)).toEqual(GREEN)
  })

  test("flip mirrors horizontally or vertically, case-insensitive", async () => {
    expect((await run(source, "flip=horizontal")).at(10, 10)).toEqual(GREEN)
    expect((await run(source, "flip=VERTICAL")).at(10, 10)).toEqual(BLUE)
  })

  test("a region crop keeps exactly that region", async () => {
    const { at, meta } = await run(source, "crop_x=100&crop_y=0&crop_w=100&crop_h=50")
    expect(meta).toMatchObject({ width: 100, height: 50, format: "png" })
    expect(at(0, 0)).toEqual(GREEN)
    expect(at(99, 49)).toEqual(GREEN)
    const straddle = await run(source, "crop_x=90&crop_y=40&crop_w=20&crop_h=20")
    expect([straddle.at(0, 0), straddle.at(19, 0), straddle.at(0, 19), straddle.at(19, 19)]).toEqual([
      RED,
      GREEN,
      BLUE,
      WHITE,
    ])
  })

  test("crop, then rotate, then flip, then resize, then format", async () => {
    const { meta, at } = await run(
      source,
      "format=png&flip=horizontal&rotate=90&crop_w=200&crop_h=100&crop_x=0&crop_y=0",
    )
    expect(meta).toMatchObject({ width: 100, height: 200 })
    expect(at(10, 10)).toEqual(RED)
    const sized = await run(source, "crop_x=0&crop_y=0&crop_w=100&crop_h=50&rotate=90&width=25")
    expect(sized.meta).toMatchObject({ width: 25, height: 50 })
  })

  test("width or height alone keep the aspect ratio; both fill the box and crop the centre", async () => {
    expect((await run(source, "width=128")).meta).toMatchObject({ width: 128, height: 64 })
    expect((await run(source, "height=25")).meta).toMatchObject({ width: 50, height: 25 })
    const cover = await run(source, "width=100&height=100")
    expect(cover.meta).toMatchObject({ width: 100, height: 100 })
    expect(near(cover.at(25, 25), RED)).toBe(true)
    expect(near(cover.at(75, 25), GREEN)).toBe(true)
    const up = await run(quadrantPng(20, 10), "width=100&height=100")
    expect(up.meta).toMatchObject({ width: 100, height: 100 })
    expect(near(up.at(25, 25), RED, 24)).toBe(true)
    expect(near(up.at(75, 75), WHITE, 24)).toBe(true)
  })

  test("enlarging a thin strip to a square crops first, so it stays small and fast", async () => {
    const strip = quadrantPng(2000, 2)
    const started = performance.now()
    const { meta, at } = await run(strip, "width=140&height=140")
    expect(meta).toMatchObject({ width: 140, height: 140 })
    expect(near(at(10, 10), RED, 24) || near(at(10, 10), GREEN, 24)).toBe(true)
    expect(performance.now() - started).toBeLessThan(500)
  })

  test("formats and quality", async () => {
    expect((await run(source, "format=webp")).out.contentType).toBe("image/webp")
    expect((await run(source, "format=jpg")).meta.format).toBe("jpeg")
    const small = await run(quadrantPng(256, 256), "format=jpeg&quality=10")
    const large = await run(quadrantPng(256, 256), "format=jpeg&quality=100")
    expect(small.out.bytes.length).toBeLessThan(large.out.bytes.length)
    expect((await run(source, "width=50")).meta.format).toBe("png")
  })

  test("alpha survives PNG and WebP; JPEG is flattened on white", async () => {
    const data = new Uint8Array(16 * 16 * 4)
    for (let i = 0; i < 256; i++) data.set([255, 0, 0, i < 128 ? 0 : 128], i * 4)
    const clear = rgbaPng({ width: 16, height: 16, data })
    expect((await run(clear, "format=png")).at(0, 0)[3]).toBe(0)
    const webp = await run(clear, "format=webp&quality=100")
    expect(webp.at(0, 0)[3]).toBe(0)
    expect(Math.abs((webp.at(0, 15)[3] as number) - 128)).toBeLessThanOrEqual(2)
    const jpeg = await run(clear, "format=jpeg&quality=100")
    expect(near(jpeg.at(0, 0), [255, 255, 255, 255], 3)).toBe(true)
    expect(near(jpeg.at(0, 15), [255, 127, 127, 255], 4)).toBe(true)
  })

  test.each([
    [
      "crop_x=150&crop_y=0&crop_w=100&crop_h=50",
      "Crop box (150, 0, 100x50) does not fit within image dimensions 200x100.",
    ],
    ["rotate=45", "rotate only supports 90, 180, or 270 degrees (clockwise); got 45."],
    ["flip=diagonal", "flip axis must be 'horizontal' or 'vertical'; got 'diagonal'."],
    ["format=gif", "Unsupported format 'gif'. Choose from: ['jpeg', 'png', 'webp']"],
    ["width=-1", "width must be between 0 and 16384; got -1."],
    ["width=1e3", "width must be an integer; got '1e3'."],
    ["crop_w=-4&crop_h=4", "crop_w must be between 0 and 9007199254740991; got -4."],
  ])("%s is refused: %s", async (query, message) => {
    await expect(run(source, query)).rejects.toThrow(new InvalidArgumentError(message))
  })

  test("an output over the pixel cap is refused before any work", async () => {
    await expect(run(source, "width=16000&height=16000", 1_000_000)).rejects.toThrow(
      "The requested output 16000x16000 is more than the 1000000-pixel limit",
    )
  })
})
