import type { ProviderCapabilities } from "@/providers/types"
import { NoProvidersError } from "../errors"

const RULES: readonly { keywords: readonly string[]; preference: readonly string[] }[] = [
  {
    keywords: ["realistic", "photo", "photography", "headshot", "portrait photo", "product shot"],
    preference: ["sd_webui", "gemini", "openai"],
  },
  {
    keywords: ["text", "logo", "typography", "poster", "banner", "signage", "lettering", "font"],
    preference: ["openai", "gemini"],
  },
  { keywords: ["draft", "iterate", "iteration"], preference: ["gemini", "openai"] },
  { keywords: ["quick", "test", "placeholder", "mock"], preference: ["placeholder"] },
  {
    keywords: ["art", "painting", "illustration", "watercolor", "oil painting", "sketch", "drawing"],
    preference: ["sd_webui", "gemini", "openai"],
  },
  { keywords: ["anime", "manga", "kawaii", "chibi"], preference: ["sd_webui", "gemini", "openai"] },
]
const DEFAULT_CHAIN = ["gemini", "openai", "sd_webui", "placeholder"]

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const PATTERNS = RULES.map((rule) => new RegExp(`\\b(?:${rule.keywords.map(escapeRegExp).join("|")})\\b`))

export interface SelectionInput {
  prompt: string
  /** Registered provider names, in registration order. */
  available: readonly string[]
  capabilities: ReadonlyMap<string, ProviderCapabilities>
  background: string
  /** When set, providers whose models accept this ratio are preferred. */
  aspectRatio?: string
  /** When set, providers whose models offer this quality are preferred. */
  quality?: string
}

/** Picks a provider for `provider="auto"` from keywords in the prompt, preferring providers able to honour the request. */
export function selectProvider(input: SelectionInput): string {
  const { available } = input
  if (available.length === 0) throw new NoProvidersError("No providers available", "auto")
  const capable = capableProviders(input)
  const pick = (preference: readonly string[]) =>
    preference.find((p) => capable.includes(p)) ?? preference.find((p) => available.includes(p))

  const prompt = input.prompt.toLowerCase()
  for (const [index, rule] of RULES.entries()) {
    if (!PATTERNS[index]?.test(prompt)) continue
    const hit = pick(rule.preference)
    if (hit) return hit
  }
  const narrowed = capable.length < available.length
  const fromChain = DEFAULT_CHAIN.find((p) => capable.includes(p))
  return fromChain ?? (narrowed ? capable[0] : undefined) ?? pick(DEFAULT_CHAIN) ?? (available[0] as string)
}

function capableProviders(input: SelectionInput): string[] {
  let capable = [...input.available]
  const narrow = (test: (caps: ProviderCapabilities) => boolean) => {
    const subset = capable.filter((name) => {
      const caps = input.capabilities.get(name)
      return caps !== undefined && test(caps)
    })
    if (subset.length) capable = subset
  }
  if (input.background === "transparent" && input.capabilities.size) narrow((caps) => caps.supports_background)
  const ratio = input.aspectRatio
  if (ratio) narrow((caps) => caps.models.some((m) => m.supported_aspect_ratios.includes(ratio)))
  const quality = input.quality
  if (quality) narrow((caps) => caps.models.some((m) => m.supported_qualities.includes(quality)))
  return capable
}
