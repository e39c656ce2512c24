import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { VERSION } from "@/version"
import { tmpdir } from "../fixture/tmpdir"
import { runCli } from "../helpers/cli"

describe("command line", () => {
  test("no arguments prints help and exits 2", async () => {
    const { code, stderr, stdout } = await runCli([])
    expect(code).toBe(2)
    expect(stdout).toBe("")
    expect(stderr).toContain("Usage: image-generation-mcp")
  })

  test("--help exits 0 and lists serve; serve --help lists the transport options", async () => {
    const main = await runCli(["--help"])
    expect(main.code).toBe(0)
    expect(main.stdout).toContain("serve")
    const serve = await runCli(["serve", "--help"])
    expect(serve.code).toBe(0)
    for (const flag of ["--transport", "--host", "--port", "--http-path", "--path"])
      expect(serve.stdout).toContain(flag)
  })

  test("--version prints the version", async () => {
    const { code, stdout } = await runCli(["--version"])
    expect(code).toBe(0)
    expect(stdout.trim()).toBe(`image-generation-mcp ${VERSION}`)
  })

  test.each([
    [
      ["serve", "--bogus"],
      "image-generation-mcp: unknown option '--bogus' for serve (see: image-generation-mcp serve --help)",
    ],
    [["launch"], "image-generation-mcp: unknown command 'launch' (commands: serve, import, doctor)"],
    [
      ["serve", "--transport", "carrier-pigeon"],
      "image-generation-mcp: --transport must be stdio or http; got 'carrier-pigeon'",
    ],
    [["serve", "--port", "http"], "image-generation-mcp: --port must be a whole number from 1 to 65535; got 'http'"],
    [["serve", "--host"], "image-generation-mcp: option '--host' needs a value"],
  ])("%p is a usage error with one clear line", async (args, message) => {
    await using dir = await tmpdir()
    const { code, stderr } = await runCli(args, { HOME: dir.path })
    expect(code).toBe(2)
    expect(stderr.trim().split("\n").at(-1)).toBe(message)
  })

  test("import of a directory that does not exist fails clearly", async () => {
    await using dir = await tmpdir()
    const missing = join(dir.path, "nope")
    const { code, stderr } = await runCli(["import", missing], { HOME: dir.path })
    expect(code).toBe(1)
    expect(stderr.trim().split("\n").at(-1)).toBe(`image-generation-mcp: ${missing} is not a directory`)
  })

  test("an impossible setting stops start-up with one line and no stack trace", async () => {
    const { code, stderr, stdout } = await runCli(["serve"], { IMAGE_GENERATION_MCP_PORT: "70000" })
    expect(code).toBe(1)
    expect(stdout).toBe("")
    expect(stderr.trim()).toBe(
      "image-generation-mcp: IMAGE_GENERATION_MCP_PORT=70000 is invalid: it must be between 1 and 65535.",
    )
  })

  test("a malformed setting is a warning on stderr naming the variable and default", async () => {
    await using dir = await tmpdir()
    const { code, stderr, stdout } = await runCli(["serve"], {
      HOME: dir.path,
      IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "big",
      IMAGE_GENERATION_MCP_DB_PATH: join(dir.path, "db.sqlite"),
    })
    expect(code).toBe(0)
    expect(stdout).toBe("")
    expect(stderr).toContain('IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE=\\"big\\" is not valid; using the default 64.')
  })
})
