import { expect, test } from "bun:test"
import { readPixels } from "@/core/transform/pixels"
import { ProviderError } from "@/providers/errors"
import { createPlaceholderProvider, placeholderColour } from "@/providers/placeholder/provider"
import { testProvider } from "./contract"

const signal = new AbortController().signal
const request = (fields: Record<string, unknown> = {}) => ({
  prompt: "a red barn",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})

testProvider("placeholder", {
  provider: () => createPlaceholderProvider(),
  additionalTests: () => {
    test.each([
      ["1:1", 256, 256],
      ["16:9", 640, 360],
      ["9:16", 360, 640],
      ["3:2", 480, 320],
      ["2:3", 320, 480],
      ["7:5", 256, 256],
    ])("aspect ratio %s gives %ix%i", async (aspectRatio, width, height) => {
      const warnings: string[] = []
      const provider = createPlaceholderProvider({ warn: (m) => warnings.push(m) })
      const result = await provider.generate(request({ aspectRatio }), { signal })
      expect(await new Bun.Image(result.data).metadata()).toEqual({ width, height, format: "png" })
      expect(result.metadata).toMatchObject({ quality: "placeholder", size: `${width}x${height}` })
      expect(warnings).toHaveLength(aspectRatio === "7:5" ? 1 : 0)
    })

    test("the colour comes from SHA-256 of the prompt into the six-colour palette", async () => {
      // Indices computed independently with Python: int(hashlib.sha256(p.encode()).hexdigest(), 16) % 6
      const expected: [string, [number, number, number]][] = [
        ["a red barn", [118, 88, 130]],
        ["", [130, 88, 101]],
        ["ünïcødé ✓", [101, 130, 88]],
        ["x".repeat(1000), [130, 88, 101]],
        ["quick test", [101, 130, 88]],
      ]
      for (const [prompt, colour] of expected) expect(placeholderColour(prompt)).toEqual(colour)
      const provider = createPlaceholderProvider()
      const first = await provider.generate(request(), { signal })
      const second = await provider.generate(request(), { signal })
      expect(Buffer.from(first.data).equals(Buffer.from(second.data))).toBe(true)
      const [r, g, b] = placeholderColour("a red barn")
      expect(first.metadata.color).toBe(`#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`)
      const pixels = await readPixels(new Bun.Image(first.data))
      expect([...pixels.data.subarray(0, 4)]).toEqual([r, g, b, 255])
    })

    test("a transparent background is RGBA with alpha 0; opaque is RGB", async () => {
      const provider = createPlaceholderProvider()
      const clear = await provider.generate(request({ background: "transparent" }), { signal })
      expect(clear.data[25]).toBe(6)
      const pixels = await readPixels(new Bun.Image(clear.data))
      expect(pixels.data[3]).toBe(0)
      const solid = await provider.generate(request(), { signal })
      expect(solid.data[25]).toBe(2)
      expect([...solid.data.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    })

    test("a mask is refused", async () => {
      const provider = createPlaceholderProvider()
      const mask = { data: new Uint8Array([1]), contentType: "image/png" as const, sourceId: null }
      await expect(provider.generate(request({ mask }), { signal })).rejects.toThrow(
        new ProviderError("placeholder", "mask is not supported by this provider"),
      )
    })
  },
})
