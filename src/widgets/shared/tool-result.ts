/** A content block as widgets receive it in a tool result (only the fields they read). */
export interface ContentItem {
  type: string
  text?: string
  data?: string
  mimeType?: string
}

export interface ToolResultLike {
  content?: ContentItem[] | unknown[]
  isError?: boolean
}

export interface ImageItem {
  data: string
  mimeType: string
}

function items(result: ToolResultLike | undefined): ContentItem[] {
  const content: unknown = result?.content
  if (!Array.isArray(content)) return []
  return content.filter((c: unknown): c is ContentItem => !!c && typeof c === "object")
}

/** The first `image` block, if any. */
export function firstImage(result: ToolResultLike | undefined): ImageItem | undefined {
  const item = items(result).find((c) => c.type === "image" && typeof c.data === "string")
  return item ? { data: item.data ?? "", mimeType: item.mimeType ?? "image/png" } : undefined
}

/** The first `text` block's text, if any. */
export function firstText(result: ToolResultLike | undefined): string | undefined {
  const item = items(result).find((c) => c.type === "text" && typeof c.text === "string")
  return item?.text
}

/** A JSON object parsed from text; anything else (invalid JSON, arrays, scalars) gives undefined and a warning. */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined
  try {
    const value: unknown = JSON.parse(text)
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>
    console.warn("Expected a JSON object in the tool result, got:", text.slice(0, 200))
  } catch (error) {
    console.warn("Tool result text is not JSON:", error)
  }
  return undefined
}

/** The first text block parsed as a JSON object. */
export function resultJson(result: ToolResultLike | undefined): Record<string, unknown> | undefined {
  return parseJsonObject(firstText(result))
}

/** A tool error's message: its text, or a generic one. */
export function errorText(result: ToolResultLike | undefined): string {
  return firstText(result)?.trim() || "Unknown error"
}

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)
export const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined
