import type { StyleProfile } from "../types"

const current = "current" as const

/** Style profiles of the openai models, keyed by model id. */
export const OPENAI_PROFILES: Readonly<Record<string, StyleProfile>> = {
  "gpt-image-2": {
    label: "OpenAI GPT Image 2",
    style_hints:
      "OpenAI's flagship: follows long, precise instructions closely and renders dense, legible typography, UI mock-ups, diagrams and product shots.",
    incompatible_styles:
      "Transparent backgrounds are not available (use gpt-image-1.5); it costs more than the smaller models, so it is overkill for throwaway drafts.",
    good_example: 'a bakery menu board with the heading "Daily Bread" and six priced items in hand-lettered chalk',
    bad_example: "cute dog (too vague to use what the model is good at)",
    lifecycle: current,
  },
  "chatgpt-image-latest": {
    label: "OpenAI ChatGPT Image (latest)",
    style_hints:
      "Follows whatever model ChatGPT currently uses for images: strong instruction following and text rendering with the newest improvements.",
    incompatible_styles:
      "Results change when the alias moves to a new model, so pin a concrete model id when you need reproducibility; transparency is not guaranteed.",
    good_example: "an isometric illustration of a tiny home office with a labelled bookshelf",
    bad_example: "the exact same image as yesterday (the alias may point at a different model)",
    lifecycle: current,
  },
  "gpt-image-1.5": {
    label: "OpenAI GPT Image 1.5",
    style_hints:
      "The previous flagship and the pick for transparent backgrounds (stickers, logos, cut-outs); likes descriptive paragraphs. Sizes: 1024x1024, 1024x1536, 1536x1024.",
    incompatible_styles:
      "Very small text is less reliable than on gpt-image-2; there is no 21:9 or other extra aspect ratio.",
    good_example: "a flat vector fox mascot on a transparent background, orange and cream, thick outline",
    bad_example: "a 21:9 cinematic panorama (only three sizes exist)",
    lifecycle: current,
  },
  "gpt-image-1": {
    label: "OpenAI GPT Image 1 (legacy)",
    style_hints: "The first gpt-image model: capable general-purpose generation with transparency support.",
    incompatible_styles:
      "Newer models render text and fine detail better; prefer gpt-image-1.5 or gpt-image-2 for new work.",
    good_example: "a watercolour postcard of a harbour town at sunrise",
    bad_example: "a dense infographic with twenty labelled parts (newer models do this far better)",
    lifecycle: "legacy",
    deprecation_note:
      "gpt-image-1.5 has better fidelity at similar cost; gpt-image-1 stays available for compatibility.",
  },
  "gpt-image-1-mini": {
    label: "OpenAI GPT Image 1 Mini",
    style_hints:
      "A cheaper, faster gpt-image model for drafts, thumbnails and quick iterations; supports transparency.",
    incompatible_styles: "Fine typography and intricate detail suffer; use a larger model for final assets.",
    good_example: "a quick concept sketch of a reading nook with a round window",
    bad_example: "a poster with three paragraphs of small body text (too fine for the mini model)",
    lifecycle: current,
  },
  "dall-e-3": {
    label: "OpenAI DALL-E 3 (deprecated)",
    style_hints: "Painterly, vivid imagery from natural-language prompts; it may rewrite prompts (see revised_prompt).",
    incompatible_styles: "No edits, no transparency, no reference images; weak at exact text; only PNG output.",
    good_example: "a dreamy oil painting of a lighthouse in a storm",
    bad_example: "a logo on a transparent background (not supported)",
    lifecycle: "deprecated",
    deprecation_note: "OpenAI API removal scheduled 2026-05-12. Migrate to gpt-image-1.5 (or gpt-image-2).",
  },
  "dall-e-2": {
    label: "OpenAI DALL-E 2 (legacy)",
    style_hints: "The oldest OpenAI image model; small square images only.",
    incompatible_styles: "Low resolution, weak coherence and text; square images only.",
    good_example: "a simple square icon of a paper plane",
    bad_example: "a photorealistic 16:9 banner (square only, low detail)",
    lifecycle: "legacy",
    deprecation_note: "Kept only for legacy editing flows; use a gpt-image model for anything new.",
  },
}
