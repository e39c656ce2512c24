import type { StyleProfile } from "../types"
import type { GeminiModel } from "./models"

const current = "current" as const

/** Style profiles of the gemini models still served, keyed by model id (retired models are never offered). */
export const GEMINI_PROFILES: Readonly<Record<string, StyleProfile>> = {
  "gemini-nano-banana-2.1": {
    label: "Gemini Nano Banana 2.1",
    style_hints:
      "Google's current general image model and the default: fast, good at layouts, infographics, diagrams and consistent characters, with all 14 aspect ratios including 4:1 and 8:1 banners; thinks harder on quality hd and takes up to 14 reference images.",
    incompatible_styles:
      "Every output carries an invisible SynthID watermark; tag-soup prompts work worse than plain sentences.",
    good_example: "a three-panel comic of the same red-haired courier crossing a rainy city, consistent outfit",
    bad_example: "masterpiece, best quality, 8k, ultra detailed (quality tags mean nothing to it)",
    lifecycle: current,
  },
  "gemini-3-pro-image": {
    label: "Gemini 3 Pro Image (Nano Banana Pro)",
    style_hints:
      "Google's highest-fidelity image model: dense typography, complex compositions and careful multi-image edits, with up to 14 references. It always thinks before drawing.",
    incompatible_styles:
      "Slower and costlier than Nano Banana 2.1; no 4:1, 1:4, 8:1 or 1:8 banners; overkill for quick drafts. Outputs carry a SynthID watermark.",
    good_example: "a detailed cut-away diagram of a coffee machine with twelve labelled parts",
    bad_example: "a quick placeholder doodle (use Nano Banana 2.1 or Flash Lite)",
    lifecycle: current,
  },
  "gemini-3.1-flash-lite-image": {
    label: "Gemini 3.1 Flash Lite Image (Nano Banana 2 Lite)",
    style_hints: "The fastest and cheapest Gemini image model, for drafts, variations and high volume.",
    incompatible_styles:
      "1K only (no quality hd), ten aspect ratios (no banners); less detail and weaker text than the other models. Outputs carry a SynthID watermark.",
    good_example: "four quick colour variations of a minimalist app icon",
    bad_example: "a poster with a paragraph of legible body text",
    lifecycle: current,
  },
  "gemini-3.1-flash-image": {
    label: "Gemini 3.1 Flash Image (Nano Banana 2)",
    style_hints:
      "The previous workhorse: fast, good at layouts and consistent characters, 14 aspect ratios, up to 14 references.",
    incompatible_styles: "Deprecated: new work should use gemini-nano-banana-2.1. Outputs carry a SynthID watermark.",
    good_example: "an annotated floor plan of a small flat",
    bad_example: "anything meant to keep working after Google shuts the model down",
    lifecycle: "deprecated",
    deprecation_note:
      "Deprecated by Google on 2026-10-06, shutdown date not announced by Google; use gemini-nano-banana-2.1.",
  },
}

/** The profile of an image model the service lists but this server does not know yet. */
export function unknownModelProfile(model: GeminiModel): StyleProfile {
  return {
    label: model.displayName,
    style_hints: `A Gemini image model this server does not know yet, offered with the limits every Gemini image model shares: ${model.aspectRatios.length} aspect ratios, quality standard, up to ${model.maxInputImages} reference images.`,
    incompatible_styles: "Its strengths are not described here; outputs carry a SynthID watermark.",
    good_example: "a plain-sentence description of the scene, its people, mood and layout",
    bad_example: "masterpiece, best quality, 8k (quality tags)",
    lifecycle: current,
  }
}
