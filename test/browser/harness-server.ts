import { join } from "node:path"
import type { CallToolRequest } from "@modelcontextprotocol/sdk/types.js"

const HOST_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Widget test host</title>
<style>body{margin:0;background:#fff}</style></head>
<body><script type="module" src="/host.js"></script></body></html>`

/**
 * The host page, its bundled script, POST /call, which runs a widget's tools/call on the real server, and POST /read,
 * which runs its resources/read there (for hosts that proxy resource reads).
 */
export async function startHostServer(
  callTool: (params: CallToolRequest["params"]) => Promise<unknown>,
  readResource: (params: { uri: string }) => Promise<unknown>,
): Promise<ReturnType<typeof Bun.serve>> {
  const build = await Bun.build({ entrypoints: [join(import.meta.dir, "host", "host.ts")], target: "browser" })
  const script = await build.outputs[0]?.text()
  if (!build.success || !script) throw new AggregateError(build.logs, "Bundling the test host page failed")
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const { pathname } = new URL(request.url)
      if (pathname === "/") return new Response(HOST_PAGE, { headers: { "content-type": "text/html" } })
      if (pathname === "/favicon.ico") return new Response(null, { status: 204 })
      if (pathname === "/host.js") return new Response(script, { headers: { "content-type": "text/javascript" } })
      if ((pathname === "/call" || pathname === "/read") && request.method === "POST") {
        try {
          const params = await request.json()
          if (pathname === "/read") return Response.json(await readResource(params as { uri: string }))
          return Response.json(await callTool(params as CallToolRequest["params"]))
        } catch (error) {
          return new Response(error instanceof Error ? error.message : String(error), { status: 500 })
        }
      }
      return new Response("Not Found", { status: 404 })
    },
  })
}

interface UiCsp {
  connectDomains?: string[]
  resourceDomains?: string[]
  frameDomains?: string[]
  baseUriDomains?: string[]
}

/** The Content-Security-Policy a strict host derives from a widget resource's `_meta.ui.csp` (none: nothing external). */
export function cspHeader(meta: Record<string, unknown> | undefined): string {
  const csp = ((meta?.ui as { csp?: UiCsp } | undefined)?.csp ?? {}) as UiCsp
  const list = (domains: string[] | undefined, fallback: string) => (domains?.length ? domains.join(" ") : fallback)
  const resources = (csp.resourceDomains ?? []).join(" ")
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' ${resources}`,
    `style-src 'unsafe-inline' ${resources}`,
    `img-src data: blob: ${resources}`,
    `font-src data: ${resources}`,
    `media-src data: blob: ${resources}`,
    `connect-src ${list(csp.connectDomains, "'none'")}`,
    `frame-src ${list(csp.frameDomains, "'none'")}`,
    `base-uri ${list(csp.baseUriDomains, "'self'")}`,
  ]
    .map((d) => d.trim())
    .join("; ")
}
