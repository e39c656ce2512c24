import type { McpContext } from "../context"
import SD_PROMPT_GUIDE from "./sd-prompt-guide.md" with { type: "text" }
import { registerTextPrompt } from "./select-provider"

/** `sd_prompt_guide`: prompt grammar for Stable Diffusion checkpoints (CLIP tags, Flux, SD 3, Pony, Illustrious). */
export function registerSdPromptGuidePrompt(ctx: McpContext): void {
  registerTextPrompt(ctx, {
    name: "sd_prompt_guide",
    title: "SD Prompt Guide",
    description:
      "How to write prompts for SD WebUI checkpoints: CLIP tag order, BREAK and the 77-token chunks, negative prompts, and the Flux, SD 3, Pony and Illustrious/NoobAI grammars.",
    icon: "book-open-text",
    text: SD_PROMPT_GUIDE,
  })
}
