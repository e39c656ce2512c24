import type { McpContext } from "../context"
import SELECT_PROVIDER from "./select-provider.md" with { type: "text" }

export interface TextPrompt {
  name: string
  title: string
  description: string
  /** A lucide icon name, added to the prompt's `prompts/list` entry. */
  icon: string
  text: string
}

/** Registers an argument-less prompt that answers with one fixed user message. */
export function registerTextPrompt(ctx: McpContext, prompt: TextPrompt): void {
  ctx.server.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description }, () => ({
    messages: [{ role: "user", content: { type: "text", text: prompt.text } }],
  }))
  ctx.promptIcons.set(prompt.name, prompt.icon)
}

/** `select_provider`: the ordered rules for choosing a provider and model, and how to work from reference images. */
export function registerSelectProviderPrompt(ctx: McpContext): void {
  registerTextPrompt(ctx, {
    name: "select_provider",
    title: "Select Provider",
    description:
      "Guidance for choosing an image provider (openai, gemini, sd_webui, comfyui, placeholder or auto) and model for a request, including reference-image work.",
    icon: "route",
    text: SELECT_PROVIDER,
  })
}
