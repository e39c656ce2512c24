import { expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createHttpApp } from "@/http/app"
import { createAuth } from "@/http/auth"
import { startServices } from "../helpers/services"
import { closing, INITIALIZE, LIST_TOOLS, post } from "./helpers"

const ALICE = "alice-token-0123456789abcdef"
const BOB = "bob-token-0123456789abcdefgh"

test("an MCP session belongs to the subject that opened it: anyone else gets 404 as if it did not exist", async () => {
  await using env = await startServices()
  const file = join(env.dir.path, "tokens.toml")
  await writeFile(file, `[tokens]\n"${ALICE}" = "alice"\n"${BOB}" = "bob"\n`)
  const auth = await createAuth({ ...env.config, bearerTokensFile: file })
  await using http = closing(createHttpApp(env.services, { auth, events: false }))
  const as = (token: string, headers: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...headers })

  const init = await http.app.request("/mcp", post(INITIALIZE, as(ALICE)))
  expect(init.status).toBe(200)
  const id = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  expect(http.sessions.get(id)?.owner).toBe("alice")

  const stolen = await http.app.request("/mcp", post(LIST_TOOLS, as(BOB, { "mcp-session-id": id })))
  expect(stolen.status).toBe(404)
  const missing = await http.app.request("/mcp", post(LIST_TOOLS, as(BOB, { "mcp-session-id": "no-such-session" })))
  expect(await stolen.json()).toEqual(await missing.json())
  const stream = as(BOB, { accept: "text/event-stream", "mcp-session-id": id })
  expect((await http.app.request("/mcp", { method: "GET", headers: stream })).status).toBe(404)
  const end = await http.app.request("/mcp", { method: "DELETE", headers: as(BOB, { "mcp-session-id": id }) })
  expect(end.status).toBe(404)
  expect(http.sessions.ids()).toEqual([id])

  const own = await http.app.request("/mcp", post(LIST_TOOLS, as(ALICE, { "mcp-session-id": id })))
  expect(own.status).toBe(200)
  expect(await own.text()).toContain('"name":"generate_image"')
})

test("without auth, sessions have no owner and work as before", async () => {
  await using env = await startServices()
  await using http = closing(createHttpApp(env.services, { events: false }))
  const init = await http.app.request("/mcp", post(INITIALIZE))
  const id = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  expect(http.sessions.get(id)?.owner).toBeUndefined()
  expect((await http.app.request("/mcp", post(LIST_TOOLS, { "mcp-session-id": id }))).status).toBe(200)
})
