import { describe, expect, test } from "bun:test"
import { editParams } from "@/core/images/editor"
import { transformImage } from "@/core/transform/pipeline"
import { readPixels } from "@/core/transform/pixels"
import { probeImage } from "@/core/transform/probe"
import {
  type Box,
  displayedSize,
  displayMatrix,
  type Orientation,
  originalCrop,
  type Rotation,
  rotateDisplayed,
  type Size,
  saveArguments,
  toDisplayed,
  toOriginal,
} from "@/widgets/viewer/crop-math"
import { rgbaPng } from "../fixture/images"

/** A tiny image as rows of pixel ids: every pixel is unique, so any mix-up shows. */
type Grid = number[][]

const makeGrid = (w: number, h: number): Grid =>
  Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => y * w + x))

/** The server's order: rotate clockwise, then flip horizontally, then vertically. */
function transformGrid(grid: Grid, o: Orientation): Grid {
  let out = grid
  for (let turns = o.rotate / 90; turns > 0; turns--) {
    const h = out.length
    const w = out[0]?.length ?? 0
    const src = out
    out = Array.from({ length: w }, (_, y) => Array.from({ length: h }, (_, x) => src[h - 1 - x]?.[y] ?? -1))
  }
  if (o.flipH) out = out.map((row) => [...row].reverse())
  if (o.flipV) out = [...out].reverse()
  return out
}

const cropGrid = (grid: Grid, b: Box): Grid => grid.slice(b.y, b.y + b.h).map((row) => row.slice(b.x, b.x + b.w))

/** Where the display matrix sends each original pixel centre, as a grid of the displayed size. */
function matrixGrid(grid: Grid, o: Orientation): Grid {
  const size = { width: grid[0]?.length ?? 0, height: grid.length }
  const shown = displayedSize(size, o)
  const [a, b, c, d, e, f] = displayMatrix(size, o)
  const out: Grid = Array.from({ length: shown.height }, () => Array(shown.width).fill(-1))
  grid.forEach((row, y) => {
    row.forEach((value, x) => {
      const X = Math.floor(a * (x + 0.5) + c * (y + 0.5) + e)
      const Y = Math.floor(b * (x + 0.5) + d * (y + 0.5) + f)
      const target = out[Y]
      if (target) target[X] = value
    })
  })
  return out
}

const ORIENTATIONS: Orientation[] = ([0, 90, 180, 270] as Rotation[]).flatMap((rotate) =>
  [false, true].flatMap((flipH) => [false, true].map((flipV) => ({ rotate, flipH, flipV }))),
)
const name = (o: Orientation) => `rotate ${o.rotate}${o.flipH ? " + flip H" : ""}${o.flipV ? " + flip V" : ""}`

describe("editor geometry, for every rotation × flip", () => {
  const size: Size = { width: 7, height: 4 }
  const original = makeGrid(size.width, size.height)

  test.each(ORIENTATIONS.map((o) => [name(o), o] as const))(
    "%s: the preview matrix draws what the server saves",
    (_, o) => {
      expect(matrixGrid(original, o)).toEqual(transformGrid(original, o))
    },
  )

  test.each(ORIENTATIONS.map((o) => [name(o), o] as const))(
    "%s: cropping the displayed image equals the server's crop-then-transform",
    (_, o) => {
      const shown = transformGrid(original, o)
      const dims = displayedSize(size, o)
      for (const box of [
        { x: 0, y: 0, w: 1, h: 1 },
        { x: 1, y: 0, w: 2, h: 3 },
        { x: dims.width - 3, y: dims.height - 2, w: 3, h: 2 },
        { x: 1, y: 1, w: dims.width - 2, h: dims.height - 1 },
      ]) {
        const crop = originalCrop(box, size, o)
        expect(crop).toBeDefined()
        expect(transformGrid(cropGrid(original, crop as Box), o)).toEqual(cropGrid(shown, box))
        expect(toDisplayed(toOriginal(box, size, o), size, o)).toEqual(box)
      }
    },
  )

  test.each(ORIENTATIONS.map((o) => [name(o), o] as const))(
    "%s: the rotate buttons turn the preview clockwise and back",
    (_, o) => {
      const shown = transformGrid(original, o)
      const clockwise = transformGrid(shown, { rotate: 90, flipH: false, flipV: false })
      expect(transformGrid(original, rotateDisplayed(o, 1))).toEqual(clockwise)
      expect(transformGrid(original, rotateDisplayed(rotateDisplayed(o, 1), -1))).toEqual(shown)
    },
  )

  test("a box covering the whole displayed image sends no crop; fractional boxes round to whole pixels", () => {
    for (const o of ORIENTATIONS) {
      const dims = displayedSize(size, o)
      expect(originalCrop({ x: 0, y: 0, w: dims.width, h: dims.height }, size, o)).toBeUndefined()
      expect(originalCrop({ x: -0.2, y: -0.3, w: dims.width + 0.4, h: dims.height + 0.4 }, size, o)).toBeUndefined()
    }
    expect(originalCrop({ x: 0.4, y: 1.6, w: 2.2, h: 1.9 }, size, { rotate: 0, flipH: false, flipV: false })).toEqual({
      x: 0,
      y: 2,
      w: 3,
      h: 2,
    })
  })

  test("saveArguments names only what changed", () => {
    const full = { x: 0, y: 0, w: 4, h: 7 }
    expect(saveArguments("abc", full, size, { rotate: 90, flipH: false, flipV: false })).toEqual({
      source_image_id: "abc",
      rotate: 90,
    })
    expect(saveArguments("abc", { x: 0, y: 0, w: 2, h: 2 }, size, { rotate: 0, flipH: true, flipV: true })).toEqual({
      source_image_id: "abc",
      crop: { x: 5, y: 2, w: 2, h: 2 },
      flip_horizontal: true,
      flip_vertical: true,
    })
  })
})

describe("the grid model is the server's pipeline", () => {
  /** Pixel ids encoded as colours, so the real image pipeline's output can be read back as a grid. */
  const encode = (grid: Grid): Uint8Array => {
    const h = grid.length
    const w = grid[0]?.length ?? 0
    const data = new Uint8Array(w * h * 4)
    for (const [i, id] of grid.flat().entries()) data.set([id * 5, 255 - id * 5, 128, 255], i * 4)
    return rgbaPng({ width: w, height: h, data })
  }
  const decode = async (bytes: Uint8Array): Promise<Grid> => {
    const image = await readPixels(new Bun.Image(bytes))
    return Array.from({ length: image.height }, (_, y) =>
      Array.from({ length: image.width }, (_, x) => (image.data[(y * image.width + x) * 4] ?? 0) / 5),
    )
  }

  test.each(ORIENTATIONS.map((o) => [name(o), o] as const))(
    "%s with a crop matches _save_edited_image's pipeline",
    async (_, o) => {
      const size = { width: 7, height: 4 }
      const grid = makeGrid(size.width, size.height)
      const bytes = encode(grid)
      const dims = displayedSize(size, o)
      const box = { x: 1, y: 1, w: dims.width - 2, h: dims.height - 1 }
      const args = saveArguments("src", box, size, o)
      const params = editParams(
        {
          sourceImageId: "src",
          crop: args.crop,
          rotate: (args.rotate as number | undefined) ?? 0,
          flipHorizontal: args.flip_horizontal === true,
          flipVertical: args.flip_vertical === true,
        },
        size,
      )
      const info = { ...probeImage(bytes, 1_000_000, "test"), contentType: "image/png" }
      const saved = await transformImage(bytes, info, params, 1_000_000)
      expect(await decode(saved.bytes)).toEqual(cropGrid(transformGrid(grid, o), box))
    },
  )
})
