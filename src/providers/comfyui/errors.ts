import { z } from "zod"
import { redact } from "@/util/redact"
import { ProviderAuthError, ProviderConnectionError, ProviderError } from "../errors"
import { type ComfyClient, type ComfyResponse, HOST_SETTING, json, PROVIDER, text } from "./http"
import type { Catalog } from "./object-info"

const said = (value: string) => redact(value).slice(0, 300)

/** ComfyUI's answer to a failed call, classified by its status (and, for /prompt, the validation fields). */
export function upstreamError(client: ComfyClient, path: string, response: ComfyResponse): ProviderError {
  const { status } = response
  const where = `ComfyUI at ${client.base}`
  const body = said(text(response).slice(0, 200))
  if (status === 401 || status === 403) {
    return new ProviderAuthError(
      PROVIDER,
      `${where} refused the credentials (HTTP ${status}). Put the user and password of the proxy in front of it in ${HOST_SETTING}, as http://user:password@host:8188.`,
    )
  }
  if (status === 404) {
    return new ProviderError(
      PROVIDER,
      `${where} has no endpoint ${path.split("?")[0]} (HTTP 404). Check that ${HOST_SETTING} points at ComfyUI itself.`,
      { kind: "unavailable", code: "not_comfyui" },
    )
  }
  if (status === 502 || status === 503 || status === 504) {
    return new ProviderConnectionError(
      PROVIDER,
      `${where} (or a proxy in front of it) answered HTTP ${status}: ${body}. It may be starting or overloaded; try again.`,
    )
  }
  return new ProviderError(PROVIDER, `${where} answered HTTP ${status} to ${path.split("?")[0]}: ${body}`)
}

/** An answer with status 200 whose body is not what ComfyUI sends (a proxy's page, a different server). */
export function unreadable(client: ComfyClient, path: string, response: ComfyResponse): ProviderError {
  return new ProviderError(
    PROVIDER,
    `ComfyUI at ${client.base} answered ${path.split("?")[0]} with something that is not ComfyUI's JSON: ${said(text(response).slice(0, 120))}`,
    { kind: "unavailable", code: "not_comfyui" },
  )
}

const Problem = z.object({
  type: z.string().catch(""),
  message: z.string().catch(""),
  details: z.string().catch(""),
  extra_info: z
    .object({ input_name: z.string().optional().catch(undefined), received_value: z.unknown() })
    .passthrough()
    .catch({ input_name: undefined, received_value: undefined }),
})
const Refusal = z.object({
  error: z.union([Problem, z.string()]).optional().catch(undefined),
  node_errors: z
    .record(z.string(), z.object({ errors: z.array(Problem).catch([]), class_type: z.string().catch("?") }))
    .catch({}),
})

const MAX_LISTED = 20

/**
 * A `POST /prompt` refusal: the validation errors of execution.py's validate_prompt, one line per node and input
 * (`node 4 (CheckpointLoaderSimple) ckpt_name: value not in list ("x"); available: a, b`). The available values are
 * ComfyUI's own; it leaves out lists longer than 20, which then come from the last /object_info.
 */
export function promptRefused(client: ComfyClient, response: ComfyResponse, catalog?: Catalog): ProviderError {
  const parsed = Refusal.safeParse(json(response))
  if (!parsed.success) return upstreamError(client, "/prompt", response)
  const { error, node_errors } = parsed.data
  const lines = Object.entries(node_errors).flatMap(([id, node]) =>
    node.errors.map((problem) => nodeProblem(id, node.class_type, problem, catalog)),
  )
  if (!lines.length && error) {
    lines.push(typeof error === "string" ? error : [error.message, error.details].filter(Boolean).join(": "))
  }
  return new ProviderError(
    PROVIDER,
    `ComfyUI at ${client.base} refused the workflow: ${said(lines.join("; ") || "no details").slice(0, 1200)}`,
    { code: "workflow_invalid" },
  )
}

function nodeProblem(id: string, classType: string, problem: z.infer<typeof Problem>, catalog?: Catalog): string {
  const input = problem.extra_info.input_name
  const what = problem.message ? problem.message.charAt(0).toLowerCase() + problem.message.slice(1) : problem.type
  const head = `node ${id} (${classType})${input ? ` ${input}` : ""}: ${what}`
  if (problem.type === "value_not_in_list" && input) {
    const received = problem.extra_info.received_value
    const config = problem.extra_info.input_config
    const listed = Array.isArray(config) && Array.isArray(config[0]) ? (config[0] as unknown[]).map(String) : undefined
    const options = listed ?? catalog?.nodes.get(classType)?.inputs[input]?.options ?? []
    const shown = options.slice(0, MAX_LISTED).join(", ")
    const more = options.length > MAX_LISTED ? ` … (${options.length} in all)` : ""
    return `${head} (${JSON.stringify(received)}); available: ${shown || "none"}${more}`
  }
  const detail = problem.details && problem.details !== input ? ` (${problem.details})` : ""
  return `${head}${detail}`
}

/** The fields of an `execution_error` message (execution.py handle_execution_error). */
export interface ExecutionFailure {
  node_id?: string
  node_type?: string
  exception_type?: string
  exception_message?: string
}

/** A prompt that failed while running, classified by the exception's type. */
export function executionFailed(failure: ExecutionFailure): ProviderError {
  const where = failure.node_id ? `node ${failure.node_id} (${failure.node_type ?? "?"})` : "a node"
  const reason = said(`${failure.exception_type ?? "error"}: ${(failure.exception_message ?? "").trim()}`)
  if (/OutOfMemoryError$/.test(failure.exception_type ?? "")) {
    return new ProviderError(
      PROVIDER,
      `ComfyUI ran out of GPU memory in ${where}. Use a smaller size or a lighter model, or free the GPU (other prompts, other programs).`,
      { code: "out_of_memory" },
    )
  }
  return new ProviderError(PROVIDER, `ComfyUI failed in ${where}: ${reason}`, { code: "execution_error" })
}

/** Someone else (ComfyUI's own interface, another client) interrupted our prompt. */
export function interruptedUpstream(): ProviderError {
  return new ProviderError(
    PROVIDER,
    "The ComfyUI prompt was interrupted before it finished (from ComfyUI's own interface or by another client). Try again.",
    { kind: "unavailable", code: "interrupted_upstream" },
  )
}
