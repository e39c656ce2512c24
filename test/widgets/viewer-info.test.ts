import { describe, expect, test } from "bun:test"
import { parseJsonObject, resultJson } from "@/widgets/shared/tool-result"
import { ASPECT_PRESETS, dragCorner, fitAspect, moveBox, resizeBox } from "@/widgets/viewer/crop-box"
import {
  batchImages,
  detailLine,
  imageInfo,
  imageKeyOf,
  progressOf,
  provenanceLine,
  safeImageMime,
} from "@/widgets/viewer/info"

describe("viewer text", () => {
  test("the metadata line joins provider (model), size and KB, leaving out what is missing", () => {
    const info = imageInfo({
      image_id: "abc",
      prompt: "p",
      provider: "openai",
      model: "gpt-image-1",
      dimensions: [1024, 768],
      original_size_bytes: 204_800,
      format: "image/png",
    })
    expect(detailLine(info)).toBe("openai (gpt-image-1) · 1024×768 · 200.0 KB")
    expect(detailLine(imageInfo({ provider: "edited", model: null, dimensions: [3, 4] }))).toBe("edited · 3×4")
    expect(detailLine(imageInfo({ dimensions: ["3", 4] }))).toBe("")
    expect(imageInfo({ content_type: "image/jpeg" }).format).toBe("image/jpeg")
  })

  test("provenance: seed and where a rerun came from; batch images in order, completed ones marked", () => {
    expect(provenanceLine(imageInfo({ seed: 0, regenerated_from: "abc", batch_id: "batch-1" }))).toBe(
      "seed 0 · regenerated from abc",
    )
    expect(provenanceLine(imageInfo({ seed: null, regenerated_from: null }))).toBe("")
    expect(imageInfo({ batch_id: "batch-1", batch_index: 2 })).toMatchObject({ batchId: "batch-1", batchIndex: 2 })
    expect(
      batchImages({
        images: [{ status: "completed", image_id: "a" }, { status: "failed", image_id: "b" }, { status: "completed" }],
      }),
    ).toEqual([
      { id: "a", completed: true },
      { id: "b", completed: false },
    ])
    expect(batchImages({})).toEqual([])
  })

  test("a batch's progress says how many images are done", () => {
    expect(progressOf({ image_ids: ["a", "b", "c"], completed: 1, progress: 0.5 }).detail).toBe("1 of 3 images done")
    expect(progressOf({ image_ids: ["a"], completed: 0 }).detail).toBe("")
  })

  test("generating: elapsed seconds in the label, progress message before the prompt, fraction clamped", () => {
    expect(progressOf({ status: "generating", progress: 0.25, elapsed_seconds: 3.46, progress_message: "" })).toEqual({
      fraction: 0.25,
      elapsedS: 3.46,
      label: "Generating (3s)",
      detail: "",
    })
    expect(progressOf({ provider: "sd_webui", prompt: "a cat", progress: 7 })).toMatchObject({
      fraction: 1,
      label: "Generating",
      detail: "sd_webui · “a cat”",
    })
    expect(progressOf({ provider: "sd_webui", prompt: "a cat", progress_message: "Step 3/20" }).detail).toBe(
      "sd_webui · Step 3/20",
    )
  })

  test("image keys come from image:// URIs only; unknown MIME types are shown as PNG", () => {
    expect(imageKeyOf("image://0123456789ab/view?format=webp")).toBe("0123456789ab")
    expect(imageKeyOf("https://example.com/x.png")).toBeUndefined()
    expect(imageKeyOf(42)).toBeUndefined()
    expect(safeImageMime("image/gif")).toBe("image/gif")
    expect(safeImageMime("text/html")).toBe("image/png")
  })

  test("tool-result JSON: objects only", () => {
    expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 })
    expect(parseJsonObject("[1]")).toBeUndefined()
    expect(parseJsonObject("Deleted image")).toBeUndefined()
    expect(
      resultJson({
        content: [
          { type: "image", data: "x" },
          { type: "text", text: '{"ok":true}' },
        ],
      }),
    ).toEqual({
      ok: true,
    })
    expect(resultJson({ content: "nonsense" as unknown as [] })).toBeUndefined()
  })
})

describe("crop box", () => {
  const bounds = { width: 200, height: 100 }

  test("aspect presets give the largest box of that shape, centred, inside the image", () => {
    const full = { x: 0, y: 0, w: 200, h: 100 }
    expect(ASPECT_PRESETS.map((p) => p.label)).toEqual(["Free", "1:1", "16:9", "4:3"])
    expect(fitAspect(full, 1, bounds)).toEqual({ x: 50, y: 0, w: 100, h: 100 })
    const wide = fitAspect(full, 16 / 9, bounds)
    expect(wide.w / wide.h).toBeCloseTo(16 / 9, 6)
    expect(wide).toMatchObject({ y: 0, h: 100 })
    expect(fitAspect({ x: 190, y: 0, w: 10, h: 10 }, 1, bounds)).toEqual({ x: 100, y: 0, w: 100, h: 100 })
    expect(fitAspect({ x: 150, y: 50, w: 100, h: 100 }, undefined, bounds)).toEqual({ x: 100, y: 0, w: 100, h: 100 })
  })

  test("moving stays inside the image; resizing keeps a minimum and the ratio", () => {
    const box = { x: 10, y: 10, w: 50, h: 50 }
    expect(moveBox(box, -100, 500, bounds)).toEqual({ x: 0, y: 50, w: 50, h: 50 })
    expect(resizeBox(box, -100, 0, undefined, bounds)).toEqual({ x: 10, y: 10, w: 5, h: 50 })
    expect(resizeBox(box, 10, 0, 1, bounds)).toEqual({ x: 10, y: 10, w: 60, h: 60 })
    expect(resizeBox(box, 0, 500, 1, bounds)).toEqual({ x: 10, y: 10, w: 90, h: 90 })
  })

  test("dragging a corner keeps the opposite one fixed", () => {
    const box = { x: 50, y: 20, w: 100, h: 60 }
    expect(dragCorner(box, "nw", { x: 0, y: 0 }, undefined, bounds)).toEqual({ x: 0, y: 0, w: 150, h: 80 })
    expect(dragCorner(box, "se", { x: 500, y: 500 }, undefined, bounds)).toEqual({ x: 50, y: 20, w: 150, h: 80 })
    expect(dragCorner(box, "ne", { x: 170, y: 10 }, 1, bounds)).toEqual({ x: 50, y: 10, w: 70, h: 70 })
    expect(dragCorner(box, "sw", { x: 149, y: 79 }, undefined, bounds)).toEqual({ x: 145, y: 20, w: 5, h: 59 })
  })
})
