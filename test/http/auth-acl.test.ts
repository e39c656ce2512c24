import { afterEach, describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { ConfigError, loadConfig } from "@/config/config"
import { authorizeToolCall, canCall, PermissionDeniedError } from "@/core/access"
import { createHttpApp } from "@/http/app"
import { createAuth, loadAcl } from "@/http/auth"
import { identityFromAuthInfo, toAuthInfo } from "@/mcp/auth-info"
import { configureLogger } from "@/util/log"
import { tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { closing, INITIALIZE, post } from "./helpers"

const P = "IMAGE_GENERATION_MCP_"
const ACL = '[subjects]\n"alice" = ["read", "write"]\n"bob" = ["read"]\n"root@example.org" = ["*"]\n"nobody" = []\n'

async function aclFile(dir: string, text: string): Promise<string> {
  const file = join(dir, "acl.toml")
  await writeFile(file, text)
  return file
}

afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

describe("ACL", () => {
  test("write calls need write or *; read calls and unlisted read calls pass", async () => {
    await using dir = await tmpdir()
    const acl = await loadAcl(await aclFile(dir.path, ACL))
    expect([...acl.subjects.keys()]).toEqual(["alice", "bob", "root@example.org", "nobody"])
    const write = { write: true }
    expect(canCall(acl, { subject: "alice" }, write)).toBe(true)
    expect(canCall(acl, { subject: "root@example.org" }, write)).toBe(true)
    expect(canCall(acl, { subject: "bob" }, write)).toBe(false)
    expect(canCall(acl, { subject: "nobody" }, write)).toBe(false)
    expect(canCall(acl, { subject: "stranger" }, write)).toBe(false)
    expect(canCall(acl, { subject: "stranger" }, { write: false })).toBe(true)
  })

  test("a denial gives the client a message without the subject and logs the subject", async () => {
    await using dir = await tmpdir()
    const acl = await loadAcl(await aclFile(dir.path, ACL))
    const lines: string[] = []
    configureLogger({ level: "info", json: true, sink: (line) => lines.push(line) })
    const denial = (() => {
      try {
        authorizeToolCall(acl, { subject: "bob" }, "delete_image", true)
      } catch (error) {
        return error
      }
    })()
    expect(denial).toBeInstanceOf(PermissionDeniedError)
    expect(denial).toMatchObject({ kind: "forbidden", code: "permission_denied" })
    const message = (denial as Error).message
    expect(message).toBe(
      "Permission denied: delete_image changes data and needs the 'write' scope, which your credentials are not granted.",
    )
    expect(message).not.toContain("bob")
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: "warning",
      logger: "auth",
      message: "Tool call denied by the ACL",
      subject: "bob",
      tool: "delete_image",
    })
    expect(() => authorizeToolCall(acl, { subject: "alice" }, "delete_image", true)).not.toThrow()
    expect(() => authorizeToolCall(acl, { subject: "bob" }, "show_image", false)).not.toThrow()
    expect(() => authorizeToolCall(undefined, { subject: "bob" }, "delete_image", true)).not.toThrow()
    expect(lines).toHaveLength(1)
  })

  const bad: [string, string | null, string][] = [
    ["missing file", null, "the file does not exist"],
    ["not TOML", "[subjects\n", "not valid TOML: "],
    ["no [subjects]", '[users]\n"a" = ["write"]\n', "no [subjects] table"],
    ["empty [subjects]", "[subjects]\n", "the [subjects] table is empty"],
    ["a string instead of a list", '[subjects]\n"a" = "write"\n', 'subject "a" must map to a list of scopes'],
    [
      "unknown scope",
      '[subjects]\n"a" = ["wrtie"]\n',
      'subject "a" has the unknown scope "wrtie" (known: read, write, *)',
    ],
    ["non-string scope", '[subjects]\n"a" = [1]\n', 'subject "a" has the unknown scope a number'],
    ["nested table", '[subjects.a]\nscopes = ["write"]\n', 'subject "a" is a nested table'],
    ["blank subject", '[subjects]\n" " = ["write"]\n', "[subjects] has a blank subject"],
  ]
  test.each(bad)("%s → start-up error naming the file and problem", async (_name, text, problem) => {
    await using dir = await tmpdir()
    const file = text === null ? join(dir.path, "missing.toml") : await aclFile(dir.path, text)
    const error = await loadAcl(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toStartWith(`${P}ACL_PATH (${file}): `)
    expect((error as Error).message).toContain(problem)
  })

  test("createAuth loads the ACL from IMAGE_GENERATION_MCP_ACL_PATH (~ expanded) and fails on a bad one", async () => {
    await using dir = await tmpdir()
    await aclFile(dir.path, ACL)
    const env = { [`${P}ACL_PATH`]: "~/acl.toml", [`${P}BEARER_TOKEN`]: "acl-test-token-123456" }
    const { config } = loadConfig(env, dir.path)
    expect(config.aclPath).toBe(join(dir.path, "acl.toml"))
    const auth = await createAuth(config)
    expect(auth.acl?.subjects.get("alice")).toEqual(new Set(["read", "write"]))
    expect((await createAuth(loadConfig({}, dir.path).config)).acl).toBeUndefined()
    const broken = loadConfig({ ...env, [`${P}ACL_PATH`]: join(dir.path, "nope.toml") }, dir.path).config
    await expect(createAuth(broken)).rejects.toThrow("the file does not exist")
  })

  test("the identity travels to MCP handlers as AuthInfo, without the credential", () => {
    const identity = { subject: "alice", scopes: ["mcp"], clientId: "cli", method: "jwt" as const, expiresAt: 99 }
    const info = toAuthInfo(identity)
    expect(info).toEqual({
      token: "",
      clientId: "cli",
      scopes: ["mcp"],
      expiresAt: 99,
      extra: { subject: "alice", method: "jwt" },
    })
    expect(identityFromAuthInfo(info)).toEqual(identity)
    const bearer = { subject: "ops", scopes: ["read", "write"], method: "bearer" as const }
    expect(identityFromAuthInfo(toAuthInfo(bearer))).toEqual(bearer)
    expect(identityFromAuthInfo(undefined)).toMatchObject({ subject: "local", method: "none" })
  })
})

test("through the real HTTP app: the ACL refuses a write tool to a subject without 'write' and lets another through", async () => {
  await using env = await startServices()
  const tokens = join(env.dir.path, "tokens.toml")
  await writeFile(tokens, '[tokens]\n"alice-wiring-token-123" = "alice"\n"bob-wiring-token-123" = "bob"\n')
  const auth = await createAuth({ ...env.config, bearerTokensFile: tokens, aclPath: await aclFile(env.dir.path, ACL) })
  await using http = closing(createHttpApp(env.services, { auth, events: false }))
  configureLogger({ level: "info", json: true, sink: () => {} })
  const deleteAs = async (token: string) => {
    const as = { authorization: `Bearer ${token}` }
    const init = await http.app.request("/mcp", post(INITIALIZE, as))
    const session = { ...as, "mcp-session-id": init.headers.get("mcp-session-id") ?? "" }
    await init.text()
    await http.app.request("/mcp", post({ jsonrpc: "2.0", method: "notifications/initialized" }, session))
    const call = {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "delete_image", arguments: { image_id: "0123456789ab" } },
    }
    const body = await (await http.app.request("/mcp", post(call, session))).text()
    const data = body.split("\n").find((line) => line.startsWith("data:")) ?? "{}"
    return (JSON.parse(data.slice(5)) as { result: CallToolResult }).result
  }
  const denied = await deleteAs("bob-wiring-token-123")
  expect(denied.isError).toBe(true)
  expect(denied.content).toEqual([
    {
      type: "text",
      text: "Permission denied: delete_image changes data and needs the 'write' scope, which your credentials are not granted.",
    },
  ])
  // Alice passes the ACL and reaches the tool itself, which finds no such image.
  const allowed = await deleteAs("alice-wiring-token-123")
  expect(allowed).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("not found") }] })
})
