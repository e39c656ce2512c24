import type { StyleProfile } from "../types"

type Prose = Omit<StyleProfile, "lifecycle" | "deprecation_note">

const profile = (p: Prose): StyleProfile => ({ ...p, lifecycle: "current" })

/** Ordered checkpoint patterns, matched against the lower-cased checkpoint name; the first match wins. */
export const SD_CHECKPOINT_PATTERNS: readonly (readonly [RegExp, StyleProfile])[] = [
  [
    /flux[._-]?2/,
    profile({
      label: "FLUX.2 (current photorealistic flagship)",
      style_hints:
        "State-of-the-art photorealism and prompt adherence; describe scenes in full sentences with lighting and lens details.",
      incompatible_styles: "No negative prompts, no weight parentheses, no BREAK; Danbooru tag lists work poorly.",
      good_example: "a candid street photo of a fishmonger laughing, overcast light, 35mm lens, shallow depth of field",
      bad_example: "(masterpiece:1.4), 1girl, best quality (tag syntax is ignored)",
    }),
  ],
  [
    /flux.*schnell|schnell.*flux/,
    profile({
      label: "Flux Schnell (1-4 step distilled)",
      style_hints:
        "Very fast drafts from natural-language prompts in 1-4 steps; good composition and readable short text.",
      incompatible_styles: "No negative prompts or CFG tuning; fine detail is softer than Flux dev.",
      good_example: "a cosy cabin in a snowy forest at dusk, warm windows, wide shot",
      bad_example: "lowres, bad anatomy, worst quality (negative-style tags do nothing)",
    }),
  ],
  [
    /flux/,
    profile({
      label: "Flux 1 dev/pro (photorealistic / highly detailed)",
      style_hints: "Highly detailed photorealism and illustration from prose prompts; handles short text in images.",
      incompatible_styles: "No negative prompts, no weight syntax, no BREAK; tag soups dilute the prompt.",
      good_example: "a macro photo of dew on a spider web at sunrise, bokeh background",
      bad_example: "score_9, score_8_up, 1girl (Pony tags mean nothing here)",
    }),
  ],
  [
    /chroma/,
    profile({
      label: "Chroma (open Flux-derived model with real CFG)",
      style_hints:
        "Detailed photos and illustration from natural-language prompts; unlike Flux dev it honours negative prompts.",
      incompatible_styles: "Weight parentheses and BREAK; very short tag lists give generic results.",
      good_example: "an overgrown greenhouse at dawn, shafts of light through broken glass, medium format photo",
      bad_example: "(masterpiece:1.3), best quality, 1girl (tag syntax adds little)",
    }),
  ],
  [
    /qwen/,
    profile({
      label: "Qwen-Image (strong text rendering and layout)",
      style_hints:
        "Posters, signs and layouts with legible text in several languages; describe the composition in sentences.",
      incompatible_styles: "CLIP tag soups and weight syntax; it needs a large GPU (about 1.8 MP native).",
      good_example: 'a vintage travel poster reading "VISIT LISBON", tram on a hill, warm evening light',
      bad_example: "lisbon, tram, poster, best quality, 8k (tags instead of a description)",
    }),
  ],
  [
    /hidream/,
    profile({
      label: "HiDream-I1 (large instruction-following model)",
      style_hints: "Follows long, precise prompts with several subjects; good at styles and short text.",
      incompatible_styles: "Weight syntax; the Dev and Fast variants ignore negative prompts.",
      good_example: "three friends sharing noodles at a night market stall, neon signs, candid documentary photo",
      bad_example: "(noodles:1.4), neon, [friends] (weights are ignored)",
    }),
  ],
  [
    /z[-_ ]?image/,
    profile({
      label: "Z-Image (fast photorealistic model)",
      style_hints: "Photorealistic people and scenes in few steps from plain-language prompts; renders short text.",
      incompatible_styles: "Negative prompts on the Turbo variant; tag lists and weight syntax.",
      good_example: "a barista pouring latte art in a sunlit café, shallow depth of field, 50mm photo",
      bad_example: "masterpiece, best quality, ultra detailed, 8k (quality tags do nothing here)",
    }),
  ],
  [
    /pony|score_9|autismmix/,
    profile({
      label: "Pony Diffusion XL (mandatory score_* tag prefix)",
      style_hints:
        "Stylised characters and anime/cartoon art; start every prompt with score_9, score_8_up, score_7_up and use source_/rating_ tags.",
      incompatible_styles: "Photorealism and prose prompts; without the score_* prefix quality drops sharply.",
      good_example: "score_9, score_8_up, score_7_up, source_anime, 1girl, silver hair, night market, lanterns",
      bad_example: "a realistic portrait photo of a CEO (the model is built for stylised art)",
    }),
  ],
  [
    /illustrious|noob.?ai/,
    profile({
      label: "Illustrious-XL / NoobAI-XL (modern anime SDXL bases)",
      style_hints: "Modern anime illustration driven by Danbooru tags; strong character and artist-style knowledge.",
      incompatible_styles: "Photorealism; v-pred variants need a matching sampler setup or they look washed out.",
      good_example: "1girl, solo, school uniform, cherry blossoms, wind, looking back, detailed background",
      bad_example: "a photograph of a kitchen renovation (anime-only base)",
    }),
  ],
  [
    /animagine/,
    profile({
      label: "Animagine XL (anime SDXL)",
      style_hints: "Clean anime characters from Danbooru-style tags; quality tags at the end help.",
      incompatible_styles: "Photorealistic scenes and long prose descriptions.",
      good_example: "1boy, samurai, red armour, misty bamboo forest, dramatic lighting, masterpiece, best quality",
      bad_example: "product photo of running shoes on white (not what it was trained for)",
    }),
  ],
  [
    /coloring.?book/,
    profile({
      label: "Coloring Book (line-art SD1.5)",
      style_hints: "Black-and-white line art with clean outlines for colouring pages.",
      incompatible_styles: "Colour, shading, photorealism and fine textures.",
      good_example: "coloring book page, a friendly dragon reading a book, thick clean lines, white background",
      bad_example: "a moody colour photograph at golden hour",
    }),
  ],
  [
    /juggernaut(?!.*illustrious)/,
    profile({
      label: "Juggernaut XL (photorealistic SDXL)",
      style_hints:
        "Photorealistic people, products and scenes with cinematic lighting; responds well to camera and lens terms.",
      incompatible_styles: "Flat vector art and anime; heavy tag stacking can over-sharpen.",
      good_example: "portrait of an elderly fisherman, weathered skin, golden hour, 85mm, f/1.8, film grain",
      bad_example: "chibi mascot sticker sheet (use an anime or illustration model)",
    }),
  ],
  [
    /dreamshaperxl.*lightning|dreamshaperxl.*alpha/,
    profile({
      label: "DreamShaperXL Lightning / Alpha (fast fantasy SDXL)",
      style_hints: "Fast fantasy and concept art in a few steps; vivid, painterly results.",
      incompatible_styles:
        "High CFG and many steps (Lightning wants about 4-8 steps, CFG about 2); strict photorealism.",
      good_example: "an elven archer on a cliff above a glowing forest, epic fantasy concept art",
      bad_example: "a passport photo on plain background",
    }),
  ],
  [
    /dreamshaperxl|dreamshaper.*xl/,
    profile({
      label: "DreamShaperXL (all-purpose fantasy SDXL)",
      style_hints: "An all-rounder for fantasy, illustration and semi-realistic art at SDXL resolution.",
      incompatible_styles: "Exact text rendering and technical diagrams.",
      good_example: "a steampunk airship over a canyon, detailed brass, dramatic clouds",
      bad_example: "a spreadsheet screenshot with legible numbers",
    }),
  ],
  [
    /dreamshaper/,
    profile({
      label: "DreamShaper (adaptable SD1.5)",
      style_hints: "An adaptable SD1.5 model for illustration, fantasy and semi-realistic portraits at 512-768 px.",
      incompatible_styles: "Large resolutions, legible text and complex multi-subject scenes.",
      good_example: "portrait of a sorceress, glowing runes, soft light, detailed face",
      bad_example: "a 1920x1080 group photo of twelve people (too large and too many subjects)",
    }),
  ],
  [
    /sd3|sd_3|sd3_5|sd3\.5/,
    profile({
      label: "SD 3 / 3.5 (triple-encoder; natural-language)",
      style_hints: "Understands prose prompts and spatial relations well, renders short text; negative prompts work.",
      incompatible_styles: "Weight parentheses and BREAK syntax; very long tag lists.",
      good_example: "a red cube on top of a blue sphere on a wooden table, soft studio light",
      bad_example: "(red cube:1.5), (blue sphere:1.3) BREAK table (weights are ignored)",
    }),
  ],
  [
    /sd_xl_base|sdxl_base|sdxl-base/,
    profile({
      label: "SDXL Base (general-purpose SDXL)",
      style_hints:
        "The general SDXL base: balanced photo and art styles at 1024 px, CLIP tag prompts with a style and lighting.",
      incompatible_styles: "Exact text; it benefits from a refiner or fine-tune for polished results.",
      good_example: "a cosy reading corner, armchair, window light, warm tones, photography",
      bad_example: "a tiny 256 px icon (SDXL is trained at 1024 px)",
    }),
  ],
  [
    /realvisxl|realvis/,
    profile({
      label: "RealVisXL (photorealistic SDXL)",
      style_hints: "Photorealistic portraits, interiors and products with natural skin and materials.",
      incompatible_styles: "Anime, flat illustration and logos.",
      good_example: "a modern Scandinavian kitchen, morning light, wide angle, realistic photo",
      bad_example: "kawaii sticker of a cat (photoreal model)",
    }),
  ],
  [
    /v1[-_]5|sd[-_]?1[-._]?5/,
    profile({
      label: "SD 1.5 (general-purpose base)",
      style_hints:
        "The classic base model at 512-768 px; CLIP tag prompts with subject, medium, style and quality tags.",
      incompatible_styles: "Large images, text and complex compositions; plain base output is soft.",
      good_example: "a lighthouse on a rocky coast, oil painting, dramatic sky, highly detailed",
      bad_example: "a 4K poster with a headline (too large, no text ability)",
    }),
  ],
  [
    /(?:)/,
    profile({
      label: "Unknown checkpoint (SD general-purpose defaults)",
      style_hints:
        "An unrecognised checkpoint: start with CLIP-style tag prompts and the preset's defaults, then adjust.",
      incompatible_styles: "Assume no text rendering and check the checkpoint's own page for its prompt style.",
      good_example: "a mountain lake at sunrise, mist, photography, highly detailed",
      bad_example: "a page of legible text (rarely supported)",
    }),
  ],
]

/** The style profile of a local checkpoint, from its name. */
export function checkpointProfile(name: string): StyleProfile | undefined {
  const lower = name.toLowerCase()
  return SD_CHECKPOINT_PATTERNS.find(([pattern]) => pattern.test(lower))?.[1]
}
