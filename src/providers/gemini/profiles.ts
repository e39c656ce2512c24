import type { StyleProfile } from "../types"

const current = "current" as const

/** Style profiles of the gemini models, keyed by model id. */
export const GEMINI_PROFILES: Readonly<Record<string, StyleProfile>> = {
  "gemini-3.1-flash-image": {
    label: "Gemini 3.1 Flash Image (Nano Banana 2)",
    style_hints:
      "Google's generally available workhorse: fast, good at layouts, infographics, diagrams and consistent characters; can think before drawing (quality hd) and takes up to 14 reference images.",
    incompatible_styles:
      "Every output carries an invisible SynthID watermark; tag-soup prompts work worse than plain sentences.",
    good_example: "a three-panel comic of the same red-haired courier crossing a rainy city, consistent outfit",
    bad_example: "masterpiece, best quality, 8k, ultra detailed (quality tags mean nothing to it)",
    lifecycle: current,
  },
  "gemini-3-pro-image": {
    label: "Gemini 3 Pro Image (Nano Banana Pro)",
    style_hints:
      "Google's highest-fidelity image model: dense typography, complex compositions and careful multi-image edits, with up to 14 references.",
    incompatible_styles:
      "Slower and costlier than Flash; overkill for quick drafts. Outputs carry a SynthID watermark.",
    good_example: "a detailed cut-away diagram of a coffee machine with twelve labelled parts",
    bad_example: "a quick placeholder doodle (use Flash or Flash Lite)",
    lifecycle: current,
  },
  "gemini-3.1-flash-lite-image": {
    label: "Gemini 3.1 Flash Lite Image (Nano Banana 2 Lite)",
    style_hints: "The fastest and cheapest Gemini image model, for drafts, variations and high volume.",
    incompatible_styles: "Less detail and weaker text than Flash or Pro. Outputs carry a SynthID watermark.",
    good_example: "four quick colour variations of a minimalist app icon",
    bad_example: "a poster with a paragraph of legible body text",
    lifecycle: current,
  },
  "gemini-2.5-flash-image": {
    label: "Gemini 2.5 Flash Image (Nano Banana)",
    style_hints: "The first Nano Banana: fast edits and blends from plain-language prompts, up to 3 reference images.",
    incompatible_styles:
      "Weaker text and detail than the Gemini 3 models; at most 3 references. Outputs carry a SynthID watermark.",
    good_example: "put the cat from the first image on the sofa from the second",
    bad_example: "combine these eight product photos into one catalogue page (3 references at most)",
    lifecycle: "legacy",
    deprecation_note: "Superseded by the Gemini 3 image models (gemini-3.1-flash-image is the default).",
  },
}
