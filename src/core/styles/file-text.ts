import { InvalidArgumentError } from "@/core/errors"
import { assertStyleName } from "./errors"
import { hasLineBreak } from "./front-matter"

export interface StyleInput {
  name: string
  /** The creative brief, written verbatim after the front-matter. */
  body: string
  tags?: string[] | null
  provider?: string | null
  aspectRatio?: string | null
  quality?: string | null
}

/** The exact text `save_style` writes. Values are checked so none can break out of its front-matter line. */
export function styleFileText(input: StyleInput): string {
  assertStyleName(input.name)
  const lines = ["---", `name: ${input.name}`]
  const tags = input.tags ?? []
  for (const tag of tags) singleLine("tags", tag, true)
  if (tags.length) lines.push(`tags: [${tags.map((t) => `"${t}"`).join(", ")}]`)
  if (input.provider) lines.push(`provider: ${singleLine("provider", input.provider)}`)
  if (input.aspectRatio) lines.push(`aspect_ratio: "${singleLine("aspect_ratio", input.aspectRatio, true)}"`)
  if (input.quality) lines.push(`quality: ${singleLine("quality", input.quality)}`)
  lines.push("---", "", input.body)
  return `${lines.join("\n")}\n`
}

function singleLine(field: string, value: string, quoted = false): string {
  // A line break would let a value add its own `name:` line to the front-matter.
  if (hasLineBreak(value)) throw new InvalidArgumentError(`${field} must be a single line of text.`)
  if (quoted && value.includes('"')) throw new InvalidArgumentError(`${field} cannot contain a double quote (").`)
  return value
}
