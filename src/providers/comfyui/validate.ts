// The checks ComfyUI's validate_prompt runs on a prompt (execution.py, 0.3.64), done against /object_info before
// anything is queued, so that a workflow that would be refused is reported at discovery. Inputs the bindings fill
// are skipped: they get valid values at generation time.
import type { ApiWorkflow } from "./bindings"
import type { Catalog, InputSpec } from "./object-info"

const MAX_PROBLEMS = 5

/** Why ComfyUI would refuse `graph`, one line per problem (at most a few); empty when it would accept it. */
export function validateGraph(graph: ApiWorkflow, catalog: Catalog, filled: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = []
  const missing = Object.entries(graph).filter(([, node]) => !catalog.nodes.has(node.class_type))
  for (const [id, node] of missing) {
    problems.push(`node ${id} uses ${node.class_type}, which this ComfyUI does not have (a custom node not installed?)`)
  }
  if (problems.length) return problems.slice(0, MAX_PROBLEMS)
  const outputs = Object.keys(graph).filter((id) => catalog.nodes.get(graph[id]?.class_type ?? "")?.outputNode)
  if (!outputs.length) return ["it has no output node (such as SaveImage)"]
  for (const id of reachable(graph, outputs)) {
    const node = graph[id]
    const schema = node && catalog.nodes.get(node.class_type)
    if (!node || !schema) continue
    for (const [input, spec] of Object.entries(schema.inputs)) {
      const problem = checkInput(graph, catalog, node.inputs[input], spec, filled.has(`${id}.${input}`))
      if (problem) problems.push(`node ${id} (${node.class_type}) ${input}: ${problem}`)
    }
  }
  return problems.slice(0, MAX_PROBLEMS)
}

/** The ids of the nodes the outputs depend on, outputs included, in id order. */
function reachable(graph: ApiWorkflow, outputs: readonly string[]): string[] {
  const seen = new Set<string>()
  const stack = [...outputs]
  while (stack.length) {
    const id = stack.pop() as string
    if (seen.has(id) || !graph[id]) continue
    seen.add(id)
    for (const value of Object.values(graph[id].inputs)) if (isLink(value)) stack.push(String(value[0]))
  }
  const numeric = (id: string) => (/^\d+$/.test(id) ? Number(id) : Number.POSITIVE_INFINITY)
  return [...seen].sort((a, b) => numeric(a) - numeric(b) || a.localeCompare(b))
}

export const isLink = (value: unknown): value is [string | number, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[1] === "number"

function checkInput(
  graph: ApiWorkflow,
  catalog: Catalog,
  value: unknown,
  spec: InputSpec,
  filled: boolean,
): string | undefined {
  if (filled) return undefined
  if (value === undefined) return spec.required ? "required input is missing" : undefined
  if (isLink(value)) {
    const source = graph[String(value[0])]
    if (!source) return `linked to node ${value[0]}, which is not in the workflow`
    const outputs = catalog.nodes.get(source.class_type)?.outputs ?? []
    const received = outputs[value[1]]
    if (received === undefined) return `linked to output ${value[1]} of node ${value[0]}, which has no such output`
    return compatible(received, spec.type) ? undefined : `receives ${received} but needs ${spec.type}`
  }
  if (Array.isArray(value)) return "a linked input must be [node id, output index]"
  if (spec.type === "INT" || spec.type === "FLOAT") {
    const number = typeof value === "string" && value.trim() ? Number(value) : value
    if (typeof number !== "number" || !Number.isFinite(number)) return `${JSON.stringify(value)} is not a number`
    if (spec.min !== undefined && number < spec.min) return `${number} is below the minimum ${spec.min}`
    if (spec.max !== undefined && number > spec.max) return `${number} is above the maximum ${spec.max}`
  }
  if (spec.type === "COMBO" && spec.options && !spec.upload && !spec.options.includes(value as string | number)) {
    const shown = spec.options.slice(0, 10).join(", ")
    const more = spec.options.length > 10 ? ` … (${spec.options.length} in all)` : ""
    return `value not in list (${JSON.stringify(value)}); available: ${shown || "none"}${more}`
  }
  return undefined
}

/** execution.py validate_node_input: equal types, `*`, or overlapping comma-separated unions. */
function compatible(received: string, expected: string): boolean {
  if (received === expected || received === "*" || expected === "*") return true
  const a = new Set(received.split(",").map((t) => t.trim()))
  return expected.split(",").some((t) => a.has(t.trim()))
}
