import { PROMPT_GUIDE } from "@/assets"
import type { StaticResource } from "./registry"

/** `info://prompt-guide`: how to prompt each provider and model, and how to choose one (static Markdown). */
export function promptGuideResources(): StaticResource[] {
  return [
    {
      uri: "info://prompt-guide",
      name: "prompt_guide",
      description:
        "How to write prompts for each provider and model (OpenAI, Gemini, SD WebUI checkpoints, placeholder), how to pick one, and how to work from reference images.",
      mimeType: "text/markdown",
      icon: "book-open-text",
      read: async (uri) => ({ contents: [{ uri: uri.toString(), mimeType: "text/markdown", text: PROMPT_GUIDE }] }),
    },
  ]
}
