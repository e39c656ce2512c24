import { describe, expect, test } from "bun:test"
import { InputUnsupportedError, TooManyInputImagesError } from "@/providers/errors"
import { solidPng } from "@/providers/solid-png"
import type { ImageProvider } from "@/providers/types"

export interface ContractOptions {
  /** Builds a fresh provider (pointed at a fake upstream where it needs one). */
  provider: () => ImageProvider | Promise<ImageProvider>
  additionalTests?: () => void
}

const PNG_JPEG_WEBP = ["image/png", "image/jpeg", "image/webp"]

/** The behaviour every provider shares, whatever vendor it speaks to. */
export function testProvider(name: string, opts: ContractOptions): void {
  describe(`${name} provider contract`, () => {
    test("discovery describes every model with the full capability shape", async () => {
      const provider = await opts.provider()
      const caps = await provider.discover()
      expect(caps.provider_name).toBe(provider.name)
      expect(caps.degraded).toBe(false)
      expect(caps.models.length).toBeGreaterThan(0)
      for (const model of caps.models) {
        expect(model.model_id).toBeTruthy()
        expect(model.supported_aspect_ratios.length).toBeGreaterThan(0)
        expect(typeof model.supports_image_input).toBe("boolean")
        // A seed range exactly when seeds are taken.
        expect(model.max_seed === null).toBe(!model.supports_seed)
      }
      expect(caps.supports_background).toBe(caps.models.some((m) => m.supports_background))
      expect(provider.description.length).toBeGreaterThan(20)
    })

    test("generates a decodable image for every supported aspect ratio", async () => {
      const provider = await opts.provider()
      const [model] = (await provider.discover()).models
      for (const aspectRatio of model?.supported_aspect_ratios ?? []) {
        const result = await provider.generate(
          { prompt: "a test", aspectRatio, quality: "standard", background: "opaque" },
          { signal: new AbortController().signal },
        )
        expect(PNG_JPEG_WEBP).toContain(result.contentType)
        const meta = await new Bun.Image(result.data).metadata()
        expect(meta.width * meta.height).toBeGreaterThan(0)
        expect(typeof result.metadata).toBe("object")
      }
    })

    test("refuses more reference images than its model accepts, before any request", async () => {
      const provider = await opts.provider()
      const caps = await provider.discover()
      const model = caps.models.find((m) => m.model_id === provider.defaultModel) ?? caps.models[0]
      if (!model) throw new Error("the contract needs at least one model")
      const max = model.supports_image_input ? model.max_input_images : 0
      const tiny = { data: solidPng(2, 2, [1, 2, 3]), contentType: "image/png" as const, sourceId: null }
      const attempt = provider.generate(
        {
          prompt: "x",
          aspectRatio: model.supported_aspect_ratios[0] ?? "1:1",
          quality: "standard",
          background: "opaque",
          model: model.model_id,
          referenceImages: Array.from({ length: max + 1 }, () => tiny),
        },
        { signal: new AbortController().signal },
      )
      await expect(attempt).rejects.toBeInstanceOf(max === 0 ? InputUnsupportedError : TooManyInputImagesError)
    })

    opts.additionalTests?.()
  })
}
