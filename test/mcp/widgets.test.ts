import { describe, expect, test } from "bun:test"
import { WIDGET_HTML } from "@/assets"
import { widgetDomain } from "@/mcp/resources/widgets"
import { externalReferences } from "../../scripts/build-widgets"
import { connect } from "../helpers/mcp"

const URIS = ["ui://image-viewer/view.html", "ui://image-gallery/view.html"]
const NOTHING_EXTERNAL = { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }

const sha32 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex").slice(0, 32)

type UiMeta = { ui?: { csp?: unknown; domain?: string } } | undefined

async function widgetMeta(env: Record<string, string>) {
  await using mcp = await connect({ env })
  const listed = (await mcp.client.listResources()).resources.filter((r) => URIS.includes(r.uri))
  const read = await Promise.all(URIS.map(async (uri) => (await mcp.client.readResource({ uri })).contents[0]))
  return { listed, read }
}

describe("ui:// widget resources", () => {
  test("both are listed, also in read-only mode, as text/html;profile=mcp-app with a CSP that allows nothing external", async () => {
    const { listed, read } = await widgetMeta({ IMAGE_GENERATION_MCP_READ_ONLY: "true" })
    expect(listed.map((r) => [r.uri, r.name, r.mimeType])).toEqual([
      ["ui://image-viewer/view.html", "image_viewer", "text/html;profile=mcp-app"],
      ["ui://image-gallery/view.html", "image_gallery", "text/html;profile=mcp-app"],
    ])
    for (const entry of [...listed, ...read]) {
      expect(entry?.mimeType).toBe("text/html;profile=mcp-app")
      expect((entry?._meta as UiMeta)?.ui).toEqual({ csp: NOTHING_EXTERNAL })
    }
  })

  test("the HTML is the embedded widget, one self-contained document", async () => {
    const { read } = await widgetMeta({})
    expect(read.map((c) => (c && "text" in c ? c.text : ""))).toEqual([WIDGET_HTML.viewer, WIDGET_HTML.gallery])
    for (const html of [WIDGET_HTML.viewer, WIDGET_HTML.gallery]) {
      expect(html).toStartWith("<!doctype html>")
      expect(html).toContain('<script type="module"')
      expect(externalReferences(html)).toEqual([])
      expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i)
      expect(html).not.toContain("unpkg.com")
      expect(html.length).toBeGreaterThan(10_000)
    }
  })

  test("list_resources (the bridge for tool-only clients) names them with their MIME type", async () => {
    await using env = await connect()
    const listed = JSON.parse(env.text(await env.call("list_resources")))
    expect(listed).toContainEqual(
      expect.objectContaining({ uri: URIS[0], name: "image_viewer", mime_type: "text/html;profile=mcp-app" }),
    )
    expect(listed).toContainEqual(expect.objectContaining({ uri: URIS[1], name: "image_gallery" }))
  })
})

describe("_meta.ui.domain", () => {
  test("APP_DOMAIN is passed through (trimmed) and beats BASE_URL", async () => {
    const { listed, read } = await widgetMeta({
      IMAGE_GENERATION_MCP_APP_DOMAIN: "  widgets.example.org ",
      IMAGE_GENERATION_MCP_BASE_URL: "https://example.com",
    })
    for (const entry of [...listed, ...read]) expect((entry?._meta as UiMeta)?.ui?.domain).toBe("widgets.example.org")
  })

  test("without APP_DOMAIN it is the hash of BASE_URL + HTTP_PATH", async () => {
    const expected = `${sha32("https://example.com/mcp")}.claudemcpcontent.com`
    expect(expected).toMatch(/^[0-9a-f]{32}\.claudemcpcontent\.com$/)
    const { listed, read } = await widgetMeta({ IMAGE_GENERATION_MCP_BASE_URL: "https://example.com/" })
    for (const entry of [...listed, ...read]) {
      expect((entry?._meta as UiMeta)?.ui).toEqual({ csp: NOTHING_EXTERNAL, domain: expected })
    }
  })

  test("the path is normalised: leading slash added, trailing slashes dropped, '/' kept", () => {
    const base = "https://example.com/proxy//"
    const domain = (httpPath: string) => widgetDomain({ baseUrl: base, httpPath })
    expect(domain("api/v1/")).toBe(`${sha32("https://example.com/proxy/api/v1")}.claudemcpcontent.com`)
    expect(domain("/api/v1")).toBe(domain("api/v1/"))
    expect(domain("/")).toBe(`${sha32("https://example.com/proxy/")}.claudemcpcontent.com`)
    expect(domain("")).toBe(`${sha32("https://example.com/proxy/mcp")}.claudemcpcontent.com`)
  })

  test("HTTP_PATH from the environment goes into the hash", async () => {
    const { read } = await widgetMeta({
      IMAGE_GENERATION_MCP_BASE_URL: "https://example.com",
      IMAGE_GENERATION_MCP_HTTP_PATH: "custom/",
    })
    expect((read[0]?._meta as UiMeta)?.ui?.domain).toBe(`${sha32("https://example.com/custom")}.claudemcpcontent.com`)
  })

  test("is omitted without APP_DOMAIN and BASE_URL; a blank APP_DOMAIN counts as unset", () => {
    expect(widgetDomain({ httpPath: "/mcp" })).toBeUndefined()
    expect(widgetDomain({ appDomain: "   ", httpPath: "/mcp" })).toBeUndefined()
    expect(widgetDomain({ appDomain: "   ", baseUrl: "https://example.com", httpPath: "/mcp" })).toBe(
      `${sha32("https://example.com/mcp")}.claudemcpcontent.com`,
    )
  })
})
