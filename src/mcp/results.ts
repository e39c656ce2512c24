import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"

/** JSON as text: pretty (2-space indent) or compact, as the reference does per tool. */
export function json(value: unknown, pretty = true): string {
  return pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)
}

export function textResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }] }
}

export function jsonResult(value: unknown, pretty = true): CallToolResult {
  return textResult(json(value, pretty))
}

/** A dict-returning tool: JSON text plus `structuredContent`. */
export function structuredResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: json(value) }], structuredContent: value }
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true }
}

/** Python `repr()` of a string, as the reference prints prompts in `delete_image`. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  const escaped = text
    .replaceAll("\\", "\\\\")
    .replaceAll(quote, `\\${quote}`)
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r")
    .replaceAll("\t", "\\t")
  return `${quote}${escaped}${quote}`
}
