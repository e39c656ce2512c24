// The Claude Desktop bundle, packed with the @anthropic-ai/mcpb CLI from the host's binary (the release
// build packs every platform), then resolved and started the way a host does.
import { beforeAll, describe, expect, test } from "bun:test"
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { McpbManifestAny } from "@anthropic-ai/mcpb"
import { getMcpConfigForManifest, LATEST_MANIFEST_VERSION } from "@anthropic-ai/mcpb/node"
import pkg from "../../package.json" with { type: "json" }
import { BUILD_TIMEOUT, builtBinary, exec, missingTools, ROOT, runScript, scratchDir } from "./build"
import { generateShowList, stdioClient } from "./session"

const NAME = "image-generation-mcp"
const MCPB = join(ROOT, "node_modules", ".bin", "mcpb")
const noUnzip = missingTools("the .mcpb listing", ["unzip"]).length > 0
let bundle = ""
let unpacked = ""

beforeAll(async () => {
  // A dist holding only the linux-x64 build, so the bundle does not depend on what other tests built.
  const binary = await builtBinary("linux-x64")
  const dist = scratchDir("mcpb-dist")
  mkdirSync(join(dist, `${NAME}-linux-x64`, "bin"), { recursive: true })
  linkSync(binary, join(dist, `${NAME}-linux-x64`, "bin", NAME))
  await runScript("package-mcpb.ts", ["--dist", dist])
  bundle = join(dist, `${NAME}-${pkg.version}.mcpb`)
  unpacked = scratchDir("mcpb-unpacked")
  const result = await exec([MCPB, "unpack", bundle, unpacked])
  if (result.code !== 0) throw new Error(`mcpb unpack failed: ${result.stderr}`)
}, BUILD_TIMEOUT)

describe(".mcpb bundle", () => {
  test.skipIf(noUnzip)("holds the manifest, the launcher and the binary, both executable", async () => {
    const listing = (await exec(["unzip", "-Z", bundle])).stdout
    // The CLI stores permission bits without a file type, which unzip shows as "?".
    expect(listing).toMatch(/^.rw-r--r-- .* manifest\.json$/m)
    expect(listing).toMatch(/^.rwxr-xr-x .* server\/launch\.sh$/m)
    expect(listing).toMatch(/^.rwxr-xr-x .* server\/linux-x64\/image-generation-mcp$/m)
  })

  test("manifest: newest version the CLI accepts, binary server, this project's identity, the [13.4] settings", async () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8"))
    expect(manifest.manifest_version).toBe(LATEST_MANIFEST_VERSION)
    expect(manifest.version).toBe(pkg.version)
    expect(manifest.server.type).toBe("binary")
    expect(manifest.author.name).toBe("image-generation-mcp maintainers")
    expect(JSON.stringify(manifest)).not.toMatch(/liesdonk/i)
    expect(manifest.compatibility.platforms).toEqual(["linux"])
    expect(manifest.server.mcp_config.platform_overrides).toBeUndefined()
    const config = manifest.user_config as Record<string, { type: string; default?: unknown; sensitive?: boolean }>
    expect(Object.keys(config).sort()).toEqual(
      [
        "comfyui_host",
        "comfyui_model",
        "default_provider",
        "google_api_key",
        "log_level",
        "openai_api_key",
        "paid_providers",
        "read_only",
        "scratch_dir",
        "sd_webui_host",
        "sd_webui_model",
        "server_name",
        "styles_dir",
      ].sort(),
    )
    expect(config.read_only).toMatchObject({ type: "boolean", default: false })
    expect(config.openai_api_key?.sensitive).toBe(true)
    expect(config.google_api_key?.sensitive).toBe(true)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal mcpb placeholder that the host expands
    expect(config.scratch_dir).toMatchObject({ type: "directory", default: "${DOCUMENTS}/Image Generation MCP" })
  })

  test("the CLI accepts the packed manifest and rejects it with an unknown field (the validation is real)", async () => {
    expect((await exec([MCPB, "validate", join(unpacked, "manifest.json")])).code).toBe(0)
    const dir = scratchDir("mcpb-invalid")
    const manifest = JSON.parse(readFileSync(join(unpacked, "manifest.json"), "utf8"))
    await Bun.write(
      join(dir, "manifest.json"),
      JSON.stringify({ ...manifest, server: { ...manifest.server, kind: "x" } }),
    )
    const result = await exec([MCPB, "validate", join(dir, "manifest.json")])
    expect(result.code).not.toBe(0)
  })

  test("resolved as a host does (defaults only), it serves MCP read-write and stores images in Documents", async () => {
    const dir = unpacked
    const home = scratchDir("mcpb-home")
    const documents = join(home, "Documents")
    const systemDirs = {
      HOME: home,
      DOCUMENTS: documents,
      DESKTOP: join(home, "Desktop"),
      DOWNLOADS: join(home, "Downloads"),
    }
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as McpbManifestAny
    // The settings form shows each default with ${HOME}/${DESKTOP}/${DOCUMENTS} filled in (MANIFEST.md), and
    // saves what it shows; the library's resolver alone does not expand variables inside defaults.
    const options = (manifest.user_config ?? {}) as Record<string, { default?: string | boolean }>
    const shown = Object.fromEntries(
      Object.entries(options).map(([key, { default: value }]) => [
        key,
        typeof value === "string"
          ? value.replace(
              /\$\{(HOME|DESKTOP|DOCUMENTS)\}/g,
              (_, name: string) => systemDirs[name as keyof typeof systemDirs],
            )
          : (value as boolean),
      ]),
    )
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: dir,
      systemDirs,
      userConfig: shown,
      pathSeparator: "/",
    })
    expect(config?.command).toBe(join(dir, "server", "launch.sh"))
    expect(config?.args).toEqual(["serve"])
    const env = config?.env ?? {}
    // Every ${user_config.*} resolved: optional settings without a value become empty (= unset), not literal text.
    expect(Object.values(env).filter((v) => v.includes("${"))).toEqual([])
    expect(env.IMAGE_GENERATION_MCP_READ_ONLY).toBe("false")

    const client = await stdioClient({
      command: config?.command as string,
      args: config?.args ?? [],
      env: { PATH: "/usr/bin:/bin", HOME: home, ...env },
      cwd: home,
    })
    try {
      const id = await generateShowList(client)
      expect(existsSync(join(documents, "Image Generation MCP", `${id}.json`))).toBe(true)
    } finally {
      await client.close()
    }
    expect(readdirSync(documents)).toEqual(["Image Generation MCP"])
  })
})
