import type { StyleProfile } from "../types"

const current = "current" as const

/** Style profiles of the placeholder models, keyed by model id. */
export const PLACEHOLDER_PROFILES: Readonly<Record<string, StyleProfile>> = {
  placeholder: {
    label: "Solid-color placeholder",
    style_hints: "Returns one flat colour picked from the prompt; use it to test a workflow without cost or network.",
    incompatible_styles: "Anything visual: no subject, texture, text or lighting is ever drawn.",
    good_example: "quick layout test for the hero banner",
    bad_example: "photorealistic portrait with soft rim light (nothing of this is rendered)",
    lifecycle: current,
  },
}
