// Usage and budgets per subject through the real HTTP app: bearer tokens map callers to subjects, the ACL decides
// whose usage each may see, and the budgets file gives each subject its own limit.
import { afterEach, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { createHttpApp } from "@/http/app"
import { createAuth } from "@/http/auth"
import { configureLogger } from "@/util/log"
import { createFakeProvider } from "../fixture/fake-provider"
import { tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { closing, INITIALIZE, post } from "./helpers"

const P = "IMAGE_GENERATION_MCP_"
const TOKENS = {
  alice: "alice-usage-token-123456",
  bob: "bob-usage-token-1234567",
  root: "root-usage-token-123456",
}

afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

test("each subject has its own budget and sees only its own usage unless the ACL grants '*'", async () => {
  await using dir = await tmpdir()
  const file = async (name: string, text: string) => {
    const path = join(dir.path, name)
    await writeFile(path, text)
    return path
  }
  const prices = await file("prices.toml", '[[price]]\nprovider = "paid"\nmodel = "paid-model"\nusd = 0.25\n')
  const budgets = await file("budgets.toml", '[subjects."alice"]\ndaily_usd = 0.25\n')
  const tokens = await file(
    "tokens.toml",
    `[tokens]\n${Object.entries(TOKENS)
      .map(([s, t]) => `"${t}" = "${s}"`)
      .join("\n")}\n`,
  )
  const acl = await file(
    "acl.toml",
    '[subjects]\n"alice" = ["read", "write"]\n"bob" = ["read", "write"]\n"root" = ["*"]\n',
  )
  const paid = createFakeProvider({ name: "paid" })
  await using env = await startServices({
    dir,
    env: { [`${P}PRICES_FILE`]: prices, [`${P}BUDGETS_FILE`]: budgets },
    deps: { extraProviders: [paid] },
  })
  const auth = await createAuth({ ...env.config, bearerTokensFile: tokens, aclPath: acl })
  await using http = closing(createHttpApp(env.services, { auth, events: false }))
  configureLogger({ level: "error", json: true, sink: () => {} })

  const session = async (token: string) => {
    const as = { authorization: `Bearer ${token}` }
    const init = await http.app.request("/mcp", post(INITIALIZE, as))
    const headers = { ...as, "mcp-session-id": init.headers.get("mcp-session-id") ?? "" }
    await init.text()
    await http.app.request("/mcp", post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers))
    let id = 10
    const rpc = async (method: string, params: Record<string, unknown>) => {
      const body = await (
        await http.app.request("/mcp", post({ jsonrpc: "2.0", id: id++, method, params }, headers))
      ).text()
      const data = body.split("\n").find((line) => line.startsWith("data:")) ?? "{}"
      return JSON.parse(data.slice(5)) as { result: unknown }
    }
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      (await rpc("tools/call", { name, arguments: args })).result as CallToolResult
    const text = (result: CallToolResult) => (result.content[0] as { text: string }).text
    return { call, text, read: (uri: string) => rpc("resources/read", { uri }) }
  }
  const [alice, bob, root] = await Promise.all([session(TOKENS.alice), session(TOKENS.bob), session(TOKENS.root)])
  const generate = { prompt: "x", provider: "paid", model: "paid-model" }

  expect((await alice.call("generate_image", generate)).isError).toBeFalsy()
  const refused = await alice.call("generate_image", generate)
  expect(refused.isError).toBe(true)
  expect(alice.text(refused)).toContain("only $0.00 of your daily budget of $0.25 is left")
  expect((await bob.call("generate_image", generate)).isError).toBeFalsy()
  expect((await bob.call("generate_image", generate)).isError).toBeFalsy()
  await env.services.jobs.idle()
  expect(paid.requests).toHaveLength(3)

  const own = JSON.parse(alice.text(await alice.call("get_usage")))
  expect(own.subject).toBe("alice")
  expect(own.total).toMatchObject({ calls: 1, cost_usd: 0.25 })
  expect(own.by_subject.map((s: { subject: string }) => s.subject)).toEqual(["alice"])
  expect(own.budgets).toMatchObject([{ period: "daily", subject: "alice", limit_usd: 0.25, remaining_usd: 0 }])
  const peek = await alice.call("get_usage", { subject: "bob" })
  expect(peek.isError).toBe(true)
  expect(alice.text(peek)).toBe("Only callers granted '*' in the ACL can see other subjects' usage.")
  const resource = (await alice.read("usage://summary")).result as { contents: { text: string }[] }
  expect(JSON.parse(resource.contents[0]?.text ?? "{}").subject).toBe("alice")

  const everyone = JSON.parse(root.text(await root.call("get_usage")))
  expect(everyone.subject).toBeNull()
  expect(everyone.total).toMatchObject({ calls: 3, cost_usd: 0.75 })
  expect(everyone.by_subject.map((s: { subject: string; calls: number }) => [s.subject, s.calls])).toEqual([
    ["alice", 1],
    ["bob", 2],
  ])
  const bobs = JSON.parse(root.text(await root.call("get_usage", { subject: "bob" })))
  expect(bobs.total).toMatchObject({ calls: 2, cost_usd: 0.5 })
})
