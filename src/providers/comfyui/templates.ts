// The built-in workflows, in ComfyUI's API format with the binding tags in their titles (README "ComfyUI"):
// txt2img and img2img as ComfyUI's default and img2img examples wire them, inpainting with a latent noise mask,
// and Flux-style models (separate diffusion model, text encoders and VAE) as ComfyUI_examples/flux wires Flux dev.
import { type ApiWorkflow, type Binding, findBindings, TEMPLATE_TAGS, USER_TAGS } from "./bindings"
import type { Catalog } from "./object-info"
import img2img from "./templates/img2img.json" with { type: "json" }
import inpaint from "./templates/inpaint.json" with { type: "json" }
import txt2img from "./templates/txt2img.json" with { type: "json" }
import txt2imgFlux from "./templates/txt2img-flux.json" with { type: "json" }
import { validateGraph } from "./validate"

export type TemplateName = "txt2img" | "img2img" | "inpaint" | "txt2img-flux"

export interface Template {
  name: TemplateName
  graph: ApiWorkflow
  bindings: Binding[]
  output: string
}

const GRAPHS: Record<TemplateName, ApiWorkflow> = {
  txt2img,
  img2img,
  inpaint,
  "txt2img-flux": txt2imgFlux,
}

const ALL_TAGS = [...USER_TAGS, ...TEMPLATE_TAGS]

function load(name: TemplateName): Template {
  const graph = GRAPHS[name]
  const { bindings, problems } = findBindings(graph, ALL_TAGS, (node) => Object.keys(node.inputs))
  const output = bindings.find((b) => b.tag === "output")?.node
  if (problems.length || !output) throw new Error(`built-in ComfyUI template ${name} is broken: ${problems.join("; ")}`)
  return { name, graph, bindings, output }
}

export const TEMPLATES: Readonly<Record<TemplateName, Template>> = {
  txt2img: load("txt2img"),
  img2img: load("img2img"),
  inpaint: load("inpaint"),
  "txt2img-flux": load("txt2img-flux"),
}

/** Why this ComfyUI cannot run a template (a node it lacks); undefined when it can. */
export function templateProblem(template: Template, catalog: Catalog): string | undefined {
  const filled = new Set(template.bindings.flatMap((b) => b.inputs.map((input) => `${b.node}.${input}`)))
  const problems = validateGraph(template.graph, catalog, filled)
  return problems.length ? `the built-in ${template.name} workflow cannot run here: ${problems.join("; ")}` : undefined
}
