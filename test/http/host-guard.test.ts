import { describe, expect, test } from "bun:test"
import { createHttpApp } from "@/http/app"
import { hostName } from "@/http/host-guard"
import { startServices } from "../helpers/services"
import { closing, INITIALIZE, post } from "./helpers"

describe("host guard", () => {
  const cases: [string, Record<string, string>, number][] = [
    ["Host evil.example", { host: "evil.example" }, 403],
    ["Host evil.example with an allowed port", { host: "evil.example:8000" }, 403],
    ["Host localhost:1234", { host: "localhost:1234" }, 200],
    ["Host [::1]:8000", { host: "[::1]:8000" }, 200],
    ["Host 127.0.0.1", { host: "127.0.0.1" }, 200],
    ["Host userinfo trick", { host: "evil.example@localhost" }, 403],
    ["Origin http://evil.example", { host: "localhost", origin: "http://evil.example" }, 403],
    ["Origin null", { host: "localhost", origin: "null" }, 403],
    ["Origin http://localhost:5173", { host: "localhost", origin: "http://localhost:5173" }, 200],
    ["configured allowed host", { host: "mcp.example.org:443", origin: "https://MCP.example.org" }, 200],
    ["host of BASE_URL", { host: "public.example.net" }, 200],
  ]
  test.each(cases)("%s", async (_name, headers, status) => {
    await using env = await startServices({
      env: {
        IMAGE_GENERATION_MCP_ALLOWED_HOSTS: "mcp.example.org",
        IMAGE_GENERATION_MCP_BASE_URL: "https://public.example.net:9443/base",
      },
    })
    await using http = closing(createHttpApp(env.services))
    const res = await http.app.request("/mcp", post(INITIALIZE, headers))
    expect(res.status).toBe(status)
    if (status === 403) {
      const refused = headers.origin ?? headers.host ?? ""
      expect(((await res.json()) as { error: string }).error).toContain(`'${refused}' is not allowed`)
    }
  })

  test("a wildcard bind with no names configured accepts any Host but still checks Origin", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_HOST: "0.0.0.0" } })
    await using http = closing(createHttpApp(env.services))
    expect((await http.app.request("/mcp", post(INITIALIZE, { host: "10.1.2.3:8000" }))).status).toBe(200)
    const rebound = post(INITIALIZE, { host: "evil.example", origin: "http://evil.example" })
    expect((await http.app.request("/mcp", rebound)).status).toBe(403)
  })

  test("a wildcard bind with ALLOWED_HOSTS checks Host too", async () => {
    const vars = { IMAGE_GENERATION_MCP_HOST: "::", IMAGE_GENERATION_MCP_ALLOWED_HOSTS: "box.lan" }
    await using env = await startServices({ env: vars })
    await using http = closing(createHttpApp(env.services))
    expect((await http.app.request("/mcp", post(INITIALIZE, { host: "box.lan:8000" }))).status).toBe(200)
    expect((await http.app.request("/mcp", post(INITIALIZE, { host: "10.1.2.3" }))).status).toBe(403)
  })
})

test("hostName drops ports, brackets, case and a trailing dot", () => {
  expect(hostName("Example.COM:8000")).toBe("example.com")
  expect(hostName("[::1]:8000")).toBe("::1")
  expect(hostName("::1")).toBe("::1")
  expect(hostName("localhost.")).toBe("localhost")
  expect(hostName("evil.example@localhost")).toBeUndefined()
  expect(hostName("a b")).toBeUndefined()
})
