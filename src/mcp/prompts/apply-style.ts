import { completable } from "@modelcontextprotocol/sdk/server/completable.js"
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js"
import { z } from "zod"
import type { StyleLibrary } from "@/core/styles/library"
import type { Style } from "@/core/styles/scanner"
import type { McpContext } from "../context"
import INSTRUCTIONS from "./apply-style.md" with { type: "text" }

/** The `apply_style` prompt: a saved style plus the user's request, with directions for composing the prompt. */
export function registerApplyStylePrompt(ctx: McpContext, styles: StyleLibrary): void {
  ctx.server.registerPrompt(
    "apply_style",
    {
      title: "Apply Style",
      description:
        "Shape an image request with a saved style from the library (see style://list): the style's brief, its defaults and how to turn them into a prompt for the chosen provider.",
      argsSchema: {
        style_name: completable(z.string().describe("Name of a saved style, as listed in style://list."), (value) =>
          completeStyleName(styles, value),
        ),
        user_request: z.string().describe("What the image should show."),
      },
    },
    async ({ style_name, user_request }) => {
      const style = await styles.get(style_name)
      return userMessage(style ? applyStyleText(style, user_request) : notFoundText(style_name))
    },
  )
  ctx.promptIcons.set("apply_style", "palette")
}

function applyStyleText(style: Style, request: string): string {
  return [
    `# Apply Style: ${style.name}`,
    `## User Request\n\n${request}`,
    `## Style Creative Brief\n\n${style.body}`,
    `## Style Defaults\n\n${defaultLines(style).join("\n")}`,
    INSTRUCTIONS.trim(),
  ].join("\n\n")
}

function defaultLines(style: Style): string[] {
  const lines = [
    style.provider && `- Suggested provider: ${style.provider}`,
    style.aspectRatio && `- Aspect ratio: ${style.aspectRatio}`,
    style.quality && `- Quality: ${style.quality}`,
    style.tags.length > 0 && `- Tags: ${style.tags.join(", ")}`,
  ].filter((line): line is string => typeof line === "string" && line !== "")
  return lines.length ? lines : ["- (no defaults set)"]
}

function notFoundText(name: string): string {
  return `Style '${name}' not found. Use style://list to browse available styles, or save_style to create a new one.`
}

function userMessage(text: string): GetPromptResult {
  return { messages: [{ role: "user", content: { type: "text", text } }] }
}

/** Names starting with what was typed, ignoring case. */
async function completeStyleName(styles: StyleLibrary, value: string): Promise<string[]> {
  const prefix = value.toLowerCase()
  const names = await styles.names().catch(() => [])
  return names.filter((name) => name.toLowerCase().startsWith(prefix))
}
