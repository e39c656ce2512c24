import type { PriceRow, ProviderPricing } from "../definition"
import { sizeOf } from "./catalog"
import { specFor } from "./discovery"
import { PARTIAL_IMAGES } from "./stream"

// OpenAI bills GPT Image by tokens ($30 per 1M image-output tokens on gpt-image-2); the pricing page turns that into
// per-image figures for the three fixed sizes only, at each API quality. Our `standard` is the API's `medium`, `hd`
// its `high` (see API_QUALITY in provider.ts). Other sizes (1536x864, every `hd` size of the free-size models) and the
// 2.5 and 2.6 models have no published per-image price: they are unknown here, never scaled from these.
const GPT_IMAGE_2: readonly Omit<PriceRow, "model">[] = [
  { size: "1024x1024", quality: "standard", usd: 0.053 },
  { size: "1024x1536", quality: "standard", usd: 0.041 },
  { size: "1536x1024", quality: "standard", usd: 0.041 },
  { size: "1024x1024", quality: "hd", usd: 0.211 },
  { size: "1024x1536", quality: "hd", usd: 0.165 },
  { size: "1536x1024", quality: "hd", usd: 0.165 },
]

const PRICED_MODELS = ["gpt-image-2", "gpt-image-2-2026-04-21"]

// Live previews are partial images of a streamed answer (stream.ts), asked for only on single-image requests. The
// image generation guide ("Partial images cost"): each partial image bills 100 more image output tokens; at
// gpt-image-2's $30 per million image output tokens (pricing page) that is $0.003 each. Fewer may come when the
// image is done sooner, and only those are billed.
const PARTIAL_IMAGE_TOKENS = 100
const GPT_IMAGE_2_USD_PER_OUTPUT_TOKEN = 30 / 1_000_000

export const OPENAI_PRICING: ProviderPricing = {
  sources: [
    {
      url: "https://developers.openai.com/api/docs/pricing#image-generation",
      checked: "2026-09-27",
      models: PRICED_MODELS,
    },
    {
      url: "https://developers.openai.com/api/docs/guides/image-generation",
      checked: "2026-12-03",
      models: PRICED_MODELS,
    },
  ],
  rows: PRICED_MODELS.flatMap((model) => GPT_IMAGE_2.map((row) => ({ model, ...row }))),
  /** The `size` the request sends (see sizes.ts), e.g. `1536x864` for 16:9 at standard. */
  billedSize(model, aspectRatio, quality) {
    const spec = specFor(model)
    return spec ? sizeOf(spec, aspectRatio, quality === "hd" ? "hd" : "standard") : null
  },
  previews(model, n) {
    if (n !== 1) return { count: 0, usdEach: 0 }
    if (!PRICED_MODELS.includes(model)) return null
    return { count: PARTIAL_IMAGES, usdEach: PARTIAL_IMAGE_TOKENS * GPT_IMAGE_2_USD_PER_OUTPUT_TOKEN }
  },
}
