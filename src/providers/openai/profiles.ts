import type { StyleProfile } from "../types"

// What sets the variants apart comes from OpenAI's launch notes as partners relayed them (ComfyUI's GPT Image 2.6
// node documentation, APIYI's 2.5 and 2.6 launch pages): flare is tuned for speed and layout, sunburst spends its
// time on detail and on staying consistent across edits. Both cost the same per token as gpt-image-2.

const flare = (version: string, extra: string): StyleProfile => ({
  label: `OpenAI GPT Image ${version} Flare`,
  style_hints: `The fast variant of GPT Image ${version}: drafts in seconds, concept passes, mood boards and quick iterations; ${extra}`,
  incompatible_styles:
    "Gives up fine texture, small type and consistency across repeated edits for speed; use the sunburst variant for finished visuals.",
  good_example: 'a first-pass poster layout for a jazz night: the title "Blue Hour" at the top, a saxophone silhouette',
  bad_example: "a final print-ready label with six lines of small ingredient text (use sunburst)",
  lifecycle: "current",
})

const sunburst = (version: string, extra: string): StyleProfile => ({
  label: `OpenAI GPT Image ${version} Sunburst`,
  style_hints: `The detail variant of GPT Image ${version}: fine texture, materials and small legible type, and subjects and lighting that stay the same across edit passes; ${extra}`,
  incompatible_styles: "Slower than flare; overkill for throwaway drafts and quick layout exploration.",
  good_example:
    'a studio product shot of a ceramic teapot on linen, the label reading "Sencha No. 3" in small serif type',
  bad_example: "twenty quick thumbnail variations of a rough idea (use flare)",
  lifecycle: "current",
})

const GPT_IMAGE_2: StyleProfile = {
  label: "OpenAI GPT Image 2",
  style_hints:
    "GPT Image 2 (April 2026): follows long, precise instructions and renders dense, legible text, UI mock-ups and diagrams; any ratio from 1:3 to 3:1.",
  incompatible_styles:
    "No transparent backgrounds (OpenAI withdrew the preview); the 2.5 and 2.6 models are faster and add transparency at the same token price.",
  good_example: 'a bakery menu board with the heading "Daily Bread" and six priced items in hand-lettered chalk',
  bad_example: "a sticker on a transparent background (not available on this model)",
  lifecycle: "current",
}

const snapshot = (profile: StyleProfile, date: string): StyleProfile => ({
  ...profile,
  label: `${profile.label} (snapshot ${date})`,
  style_hints: `${profile.style_hints} A pinned snapshot: results do not change when OpenAI moves the alias.`,
})

const FLARE_25 = flare("2.5", "takes transparent backgrounds.")
const SUNBURST_25 = sunburst("2.5", "stronger at image edits than flare; takes transparent backgrounds.")

/** Style profiles of the openai models the service still serves, keyed by model id. */
export const OPENAI_PROFILES: Readonly<Record<string, StyleProfile>> = {
  "gpt-image-2.6-sunburst": sunburst(
    "2.6",
    "the server's default. The newest generation (November 2026; OpenAI reports it 50% faster than 2.5); transparent backgrounds.",
  ),
  "gpt-image-2.6-flare": flare(
    "2.6",
    "holds the layout together on dense posters and product shots; transparent backgrounds.",
  ),
  "gpt-image-2.5-sunburst": SUNBURST_25,
  "gpt-image-2.5-sunburst-2026-09-08": snapshot(SUNBURST_25, "2026-09-08"),
  "gpt-image-2.5-flare": FLARE_25,
  "gpt-image-2.5-flare-2026-09-08": snapshot(FLARE_25, "2026-09-08"),
  "gpt-image-2": GPT_IMAGE_2,
  "gpt-image-2-2026-04-21": snapshot(GPT_IMAGE_2, "2026-04-21"),
}

/** The profile of a listed GPT Image model this server's catalog does not know. */
export function unknownModelProfile(id: string): StyleProfile {
  return {
    label: `OpenAI ${id} (not in this server's catalog)`,
    style_hints:
      "A GPT Image model the service lists but this server does not know yet. It is offered with the limits every GPT Image model shares: 1:1, 3:2 and 2:3, no transparency.",
    incompatible_styles: "Other ratios and transparent backgrounds are not offered until the server knows the model.",
    good_example: "a watercolour postcard of a harbour town at sunrise",
    bad_example: "a 16:9 banner (only the three shared sizes are offered)",
    lifecycle: "current",
  }
}
