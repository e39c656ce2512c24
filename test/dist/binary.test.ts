// The compiled linux-x64 binary, moved to a directory with no node_modules and no sources next to it.

import { Database } from "bun:sqlite"
import { beforeAll, describe, expect, test } from "bun:test"
import { copyFileSync, existsSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { MIGRATIONS } from "@/assets"
import pkg from "../../package.json" with { type: "json" }
import { BUILD_TIMEOUT, BUN, builtBinary, DIST, exec, freePort, ROOT, scratchDir } from "./build"
import { generateShowList, httpClient, stdioClient, waitForHealthy } from "./session"

let binary = ""
const baseEnv = (home: string) => ({ PATH: "/usr/bin:/bin", HOME: home })

beforeAll(async () => {
  const built = await builtBinary("linux-x64")
  const dir = scratchDir("moved")
  binary = join(dir, "image-generation-mcp")
  copyFileSync(built, binary)
  Bun.spawnSync(["chmod", "755", binary])
}, BUILD_TIMEOUT)

async function withClient<T>(client: Client, body: (client: Client) => Promise<T>): Promise<T> {
  try {
    return await body(client)
  } finally {
    await client.close()
  }
}

describe("compiled binary, moved to an empty directory", () => {
  test("prints the version baked in from package.json", async () => {
    const dir = scratchDir("version")
    const { stdout, code } = await exec([binary, "--version"], { cwd: dir, env: baseEnv(dir) })
    expect(code).toBe(0)
    expect(stdout.trim()).toBe(`image-generation-mcp ${pkg.version}`)
    expect(readdirSync(join(binary, ".."))).toEqual(["image-generation-mcp"])
  })

  test("serves a stdio session (generate with the placeholder, show, list) on a freshly migrated database", async () => {
    const home = scratchDir("stdio")
    const env = { ...baseEnv(home), IMAGE_GENERATION_MCP_READ_ONLY: "false" }
    const client = await stdioClient({ command: binary, args: ["serve"], env, cwd: home })
    const id = await withClient(client, generateShowList)
    const state = join(home, ".image-generation-mcp")
    expect(existsSync(join(state, "images", `${id}.json`))).toBe(true)
    const db = new Database(join(state, "state.sqlite"), { readonly: true })
    try {
      expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(MIGRATIONS.length)
    } finally {
      db.close()
    }
  })

  test("serves both MCP Apps widgets as self-contained HTML", async () => {
    const home = scratchDir("widgets")
    const client = await stdioClient({ command: binary, args: ["serve"], env: baseEnv(home), cwd: home })
    await withClient(client, async (c) => {
      for (const uri of ["ui://image-viewer/view.html", "ui://image-gallery/view.html"]) {
        const [content] = (await c.readResource({ uri })).contents
        expect(content?.mimeType).toBe("text/html;profile=mcp-app")
        const html = content && "text" in content ? content.text : ""
        expect(html.slice(0, 200).toLowerCase()).toContain("<!doctype html")
        expect(html).toContain("</html>")
        expect(html.length).toBeGreaterThan(10_000)
      }
    })
  })

  test("serves streamable HTTP with /healthz and stops cleanly on SIGTERM", async () => {
    const home = scratchDir("http")
    const port = freePort()
    const proc = Bun.spawn([binary, "serve", "--transport", "http", "--port", String(port)], {
      cwd: home,
      env: { ...baseEnv(home), IMAGE_GENERATION_MCP_READ_ONLY: "false" },
      stdout: "pipe",
      stderr: "pipe",
    })
    try {
      expect(await waitForHealthy(`http://127.0.0.1:${port}/healthz`)).toEqual({ status: "ok", version: pkg.version })
      await withClient(await httpClient(`http://127.0.0.1:${port}/mcp`), generateShowList)
    } finally {
      proc.kill("SIGTERM")
    }
    expect(await proc.exited).toBe(0)
  })

  test("ignores a .env and a bunfig.toml in its working directory (bun from source reads the .env)", async () => {
    const dir = scratchDir("dotenv")
    writeFileSync(
      join(dir, ".env"),
      "IMAGE_GENERATION_MCP_SERVER_NAME=from-dotenv\nIMAGE_GENERATION_MCP_READ_ONLY=false\n",
    )
    writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./preload.ts"]\n')
    writeFileSync(
      join(dir, "preload.ts"),
      `require("node:fs").writeFileSync(${JSON.stringify(join(dir, "ran"))}, "")\n`,
    )
    const env = baseEnv(dir)
    const compiled = await stdioClient({ command: binary, args: ["serve"], env, cwd: dir })
    await withClient(compiled, async (c) => {
      expect(c.getServerVersion()?.name).toBe("image-generation-mcp")
      expect((await c.listTools()).tools.map((t) => t.name)).not.toContain("generate_image")
    })
    expect(existsSync(join(dir, "ran"))).toBe(false)

    const source = await stdioClient({
      command: BUN,
      args: [join(ROOT, "src", "cli", "index.ts"), "serve"],
      env,
      cwd: dir,
    })
    await withClient(source, async (c) => expect(c.getServerVersion()?.name).toBe("from-dotenv"))
  })

  test("the release archive holds the binary and matches SHA256SUMS", async () => {
    const listing = await exec(["tar", "-tzf", join(DIST, "image-generation-mcp-linux-x64.tar.gz")])
    expect(listing.code).toBe(0)
    expect(listing.stdout.split("\n")).toContain("image-generation-mcp-linux-x64/bin/image-generation-mcp")
    const sums = await Bun.file(join(DIST, "SHA256SUMS")).text()
    expect(sums).toMatch(/^[0-9a-f]{64} {2}image-generation-mcp-linux-x64\.tar\.gz$/m)
    const check = await exec(["sha256sum", "--check", "--strict", "SHA256SUMS"], { cwd: DIST })
    expect(check.stderr).toBe("")
    expect(check.code).toBe(0)
  })
})
