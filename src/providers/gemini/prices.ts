import type { ProviderPricing } from "../definition"
import { geminiModel } from "./models"

// Google bills image output by tokens and its pricing page states the per-image equivalents by `imageSize` tier
// (the same for every aspect ratio); the quality only chooses the tier (see models.ts). Nano Banana 2.1 has no
// published price in the sources read: its calls are recorded with an unknown price.
const PRICING_PAGE = "https://ai.google.dev/gemini-api/docs/pricing"

export const GEMINI_PRICING: ProviderPricing = {
  sources: [
    // "$120.00 (images) … Equivalent to $0.134 per 1K/2K image and $0.24 per 4K image".
    { url: PRICING_PAGE, checked: "2026-10-07", models: ["gemini-3-pro-image"] },
    // $60 per 1M image-output tokens: $0.045 at 512, $0.067 at 1K, $0.101 at 2K, $0.151 at 4K (read for the model's
    // preview id; the GA id kept the rows).
    { url: PRICING_PAGE, checked: "2026-04-04", models: ["gemini-3.1-flash-image"] },
    // $30 per 1M image-output tokens, 1,120 tokens per 1K image: $0.034 (Gemini API and Vertex AI rows at GA).
    { url: PRICING_PAGE, checked: "2026-06-30", models: ["gemini-3.1-flash-lite-image"] },
  ],
  rows: [
    { model: "gemini-3-pro-image", size: "1K", usd: 0.134 },
    { model: "gemini-3-pro-image", size: "2K", usd: 0.134 },
    { model: "gemini-3-pro-image", size: "4K", usd: 0.24 },
    { model: "gemini-3.1-flash-image", size: "512", usd: 0.045 },
    { model: "gemini-3.1-flash-image", size: "1K", usd: 0.067 },
    { model: "gemini-3.1-flash-image", size: "2K", usd: 0.101 },
    { model: "gemini-3.1-flash-image", size: "4K", usd: 0.151 },
    { model: "gemini-3.1-flash-lite-image", size: "1K", usd: 0.034 },
  ],
  /** The `imageConfig.imageSize` the request sends; null for models sent without one (unknown ones). */
  billedSize(model, _aspectRatio, quality) {
    const qualities = geminiModel(model).qualities
    return (quality === "hd" ? qualities.hd : qualities.standard) ?? null
  },
}
