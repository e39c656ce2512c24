import type { StyleProfile } from "../types"

const current = "current" as const

/** Style profiles of the OpenAI, Gemini and placeholder models, keyed `<provider>:<model_id>`. */
export const CLOUD_PROFILES: Record<string, StyleProfile> = {
  "openai:gpt-image-2": {
    label: "OpenAI GPT Image 2",
    style_hints:
      "OpenAI's flagship: follows long, precise instructions closely and renders dense, legible typography, UI mock-ups, diagrams and product shots.",
    incompatible_styles:
      "Transparent backgrounds are not available (use gpt-image-1.5); it costs more than the smaller models, so it is overkill for throwaway drafts.",
    good_example: 'a bakery menu board with the heading "Daily Bread" and six priced items in hand-lettered chalk',
    bad_example: "cute dog (too vague to use what the model is good at)",
    lifecycle: current,
  },
  "openai:chatgpt-image-latest": {
    label: "OpenAI ChatGPT Image (latest)",
    style_hints:
      "Follows whatever model ChatGPT currently uses for images: strong instruction following and text rendering with the newest improvements.",
    incompatible_styles:
      "Results change when the alias moves to a new model, so pin a concrete model id when you need reproducibility; transparency is not guaranteed.",
    good_example: "an isometric illustration of a tiny home office with a labelled bookshelf",
    bad_example: "the exact same image as yesterday (the alias may point at a different model)",
    lifecycle: current,
  },
  "openai:gpt-image-1.5": {
    label: "OpenAI GPT Image 1.5",
    style_hints:
      "The previous flagship and the pick for transparent backgrounds (stickers, logos, cut-outs); likes descriptive paragraphs. Sizes: 1024x1024, 1024x1536, 1536x1024.",
    incompatible_styles:
      "Very small text is less reliable than on gpt-image-2; there is no 21:9 or other extra aspect ratio.",
    good_example: "a flat vector fox mascot on a transparent background, orange and cream, thick outline",
    bad_example: "a 21:9 cinematic panorama (only three sizes exist)",
    lifecycle: current,
  },
  "openai:gpt-image-1": {
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
  "openai:gpt-image-1-mini": {
    label: "OpenAI GPT Image 1 Mini",
    style_hints:
      "A cheaper, faster gpt-image model for drafts, thumbnails and quick iterations; supports transparency.",
    incompatible_styles: "Fine typography and intricate detail suffer; use a larger model for final assets.",
    good_example: "a quick concept sketch of a reading nook with a round window",
    bad_example: "a poster with three paragraphs of small body text (too fine for the mini model)",
    lifecycle: current,
  },
  "openai:dall-e-3": {
    label: "OpenAI DALL-E 3 (deprecated)",
    style_hints: "Painterly, vivid imagery from natural-language prompts; it may rewrite prompts (see revised_prompt).",
    incompatible_styles: "No edits, no transparency, no reference images; weak at exact text; only PNG output.",
    good_example: "a dreamy oil painting of a lighthouse in a storm",
    bad_example: "a logo on a transparent background (not supported)",
    lifecycle: "deprecated",
    deprecation_note: "OpenAI API removal scheduled 2026-05-12. Migrate to gpt-image-1.5 (or gpt-image-2).",
  },
  "openai:dall-e-2": {
    label: "OpenAI DALL-E 2 (legacy)",
    style_hints: "The oldest OpenAI image model; small square images only.",
    incompatible_styles: "Low resolution, weak coherence and text; square images only.",
    good_example: "a simple square icon of a paper plane",
    bad_example: "a photorealistic 16:9 banner (square only, low detail)",
    lifecycle: "legacy",
    deprecation_note: "Kept only for legacy editing flows; use a gpt-image model for anything new.",
  },
  "gemini:gemini-3.1-flash-image": {
    label: "Gemini 3.1 Flash Image (Nano Banana 2)",
    style_hints:
      "Google's generally available workhorse: fast, good at layouts, infographics, diagrams and consistent characters; can think before drawing (quality hd) and takes up to 14 reference images.",
    incompatible_styles:
      "Every output carries an invisible SynthID watermark; tag-soup prompts work worse than plain sentences.",
    good_example: "a three-panel comic of the same red-haired courier crossing a rainy city, consistent outfit",
    bad_example: "masterpiece, best quality, 8k, ultra detailed (quality tags mean nothing to it)",
    lifecycle: current,
  },
  "gemini:gemini-3-pro-image": {
    label: "Gemini 3 Pro Image (Nano Banana Pro)",
    style_hints:
      "Google's highest-fidelity image model: dense typography, complex compositions and careful multi-image edits, with up to 14 references.",
    incompatible_styles:
      "Slower and costlier than Flash; overkill for quick drafts. Outputs carry a SynthID watermark.",
    good_example: "a detailed cut-away diagram of a coffee machine with twelve labelled parts",
    bad_example: "a quick placeholder doodle (use Flash or Flash Lite)",
    lifecycle: current,
  },
  "gemini:gemini-3.1-flash-lite-image": {
    label: "Gemini 3.1 Flash Lite Image (Nano Banana 2 Lite)",
    style_hints: "The fastest and cheapest Gemini image model, for drafts, variations and high volume.",
    incompatible_styles: "Less detail and weaker text than Flash or Pro. Outputs carry a SynthID watermark.",
    good_example: "four quick colour variations of a minimalist app icon",
    bad_example: "a poster with a paragraph of legible body text",
    lifecycle: current,
  },
  "gemini:gemini-2.5-flash-image": {
    label: "Gemini 2.5 Flash Image (Nano Banana)",
    style_hints: "The first Nano Banana: fast edits and blends from plain-language prompts, up to 3 reference images.",
    incompatible_styles:
      "Weaker text and detail than the Gemini 3 models; at most 3 references. Outputs carry a SynthID watermark.",
    good_example: "put the cat from the first image on the sofa from the second",
    bad_example: "combine these eight product photos into one catalogue page (3 references at most)",
    lifecycle: "legacy",
    deprecation_note: "Superseded by the Gemini 3 image models (gemini-3.1-flash-image is the default).",
  },
  "placeholder:placeholder": {
    label: "Solid-color placeholder",
    style_hints: "Returns one flat colour picked from the prompt; use it to test a workflow without cost or network.",
    incompatible_styles: "Anything visual: no subject, texture, text or lighting is ever drawn.",
    good_example: "quick layout test for the hero banner",
    bad_example: "photorealistic portrait with soft rim light (nothing of this is rendered)",
    lifecycle: current,
  },
}
