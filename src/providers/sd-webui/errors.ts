import { redact } from "@/util/redact"
import { ProviderAuthError, ProviderConnectionError, ProviderError, UpstreamNotFoundError } from "../errors"
import { PROVIDER, type SdClient, type SdResponse, safeJson } from "./http"

/**
 * What the WebUI's error bodies carry. A1111/reForge: {error, detail, body, errors}; Forge: {"detail"} for HTTP
 * errors and {error, detail, body, message} for exceptions; SD.Next: {error, code, detail, body, errors};
 * FastAPI's 422: {"detail": [{loc, msg, type}]}.
 */
interface ErrorBody {
  error?: string
  detail?: string
  items?: string[]
  text?: string
}

function readBody(text: string): ErrorBody {
  const body = safeJson(text)
  if (!body || typeof body !== "object" || Array.isArray(body)) return {}
  const b = body as Record<string, unknown>
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined)
  const items = Array.isArray(b.detail)
    ? b.detail.map((item) => {
        const i = (item ?? {}) as { loc?: unknown; msg?: unknown }
        const where = Array.isArray(i.loc) ? i.loc.join(".") : ""
        return `${where ? `${where}: ` : ""}${String(i.msg ?? "invalid")}`
      })
    : undefined
  return { error: str(b.error), detail: str(b.detail), items, text: str(b.errors) ?? str(b.message) }
}

/** The WebUI's answer to a failed call, classified by status and the body's structured fields. */
export function upstreamError(client: SdClient, path: string, response: SdResponse): ProviderError {
  const { status } = response
  const body = readBody(response.text)
  const said = (text: string) => redact(text).slice(0, 300)
  const where = `SD WebUI at ${client.base}`
  if (status === 401 || status === 403) {
    const why = body.detail ? `: ${said(body.detail)}` : ""
    return new ProviderAuthError(
      PROVIDER,
      `${where} refused the credentials (HTTP ${status}${why}). Put the --api-auth user and password in IMAGE_GENERATION_MCP_SD_WEBUI_HOST, as http://user:password@host:port.`,
    )
  }
  if (status === 404 && body.detail === "Not Found") {
    return new ProviderError(
      PROVIDER,
      `${where} has no API endpoint ${path} (HTTP 404). Start the WebUI with --api (or --nowebui for the API alone).`,
      { kind: "unavailable", code: "api_not_enabled" },
    )
  }
  if (status === 404) {
    return new UpstreamNotFoundError(PROVIDER, `${where} answered HTTP 404: ${said(body.detail ?? response.text)}.`)
  }
  if (status === 422) {
    const problems = body.items?.join("; ") ?? said(response.text)
    return new ProviderError(PROVIDER, `${where} refused the request as invalid (HTTP 422): ${said(problems)}.`)
  }
  if (status === 500 && body.error === "OutOfMemoryError") {
    return new ProviderError(
      PROVIDER,
      `${where} ran out of GPU memory (${said(body.text ?? "OutOfMemoryError")}). Use a smaller size or a lighter checkpoint, free the GPU, or start the WebUI with --medvram or --lowvram.`,
      { code: "out_of_memory" },
    )
  }
  if (status === 500 && body.error) {
    const what = [body.detail, body.text].filter(Boolean).join(": ") || "no details"
    return new ProviderError(PROVIDER, `${where} failed with ${body.error}: ${said(what)}.`)
  }
  if (status >= 500) {
    return new ProviderConnectionError(
      PROVIDER,
      `${where} (or a proxy in front of it) answered HTTP ${status}: ${said(response.text.slice(0, 200))}. It may be starting or overloaded; try again.`,
    )
  }
  return new ProviderError(PROVIDER, `${where} answered HTTP ${status}: ${said(response.text.slice(0, 200))}.`)
}
