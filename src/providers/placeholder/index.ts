import { defineProvider } from "../definition"
import { createPlaceholderProvider, PLACEHOLDER_MODEL, PROVIDER_NAME } from "./provider"

export const placeholderDefinition = defineProvider({
  name: PROVIDER_NAME,
  settings: [],
  paidByDefault: false,
  routing: { themes: { test: 1 }, fallback: 9 },
  catalog: [PLACEHOLDER_MODEL],
  pricing: "free",
  doctor: { fix: "The placeholder needs nothing; report this as a bug." },
  create: (_settings, deps) => createPlaceholderProvider({ warn: deps.warn }),
})
