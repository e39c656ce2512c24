// Distribution metadata that needs no build: env.example, server.json, the Dockerfile and compose.yml.
// env.example and server.json are rendered from templates and the provider definitions.
// (No Docker engine here: the image itself is not built in the tests.)
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import pkg from "../../package.json" with { type: "json" }
import { distDirName, findTarget } from "../../scripts/build-targets"
import { renderEnvExample, renderManifestTemplate, renderServerJson } from "../../scripts/provider-metadata"
import { ENV_PREFIX } from "../../src/config/env"
import { PROVIDER_DEFINITIONS } from "../../src/providers/index"
import { ROOT } from "./build"
import { configEnvVars } from "./config-vars"

const read = (path: string) => readFileSync(join(ROOT, path), "utf8")
const SECRET = /(API_KEY|BEARER_TOKEN|CLIENT_SECRET|SIGNING_KEY)$/

describe("packaging/env.example", () => {
  const text = renderEnvExample()
  const assigned = [...text.matchAll(/^#([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => ({ name, value }))

  test("documents every variable the current config reads, and only those", () => {
    const documented = [...new Set(assigned.map((a) => a.name))].sort()
    expect(documented).toEqual(configEnvVars())
  })

  test("every setting is commented out, and each group of settings carries an explanation", () => {
    expect(text.split("\n").filter((line) => line.trim() && !line.startsWith("#"))).toEqual([])
    const groups = text.split(/\n\s*\n/).filter((group) => /^#[A-Z]/m.test(group))
    expect(groups.filter((group) => !/^# \S/m.test(group))).toEqual([])
  })

  test("state paths point under /var/lib/image-generation-mcp", () => {
    const state = ["SCRATCH_DIR", "STYLES_DIR", "DB_PATH", "KV_STORE_URL", "EVENT_STORE_URL"]
    for (const name of state.map((n) => `IMAGE_GENERATION_MCP_${n}`)) {
      const value = assigned.find((a) => a.name === name)?.value
      expect(`${name}=${value}`).toMatch(/=(file:\/\/)?\/var\/lib\/image-generation-mcp\/\w/)
    }
  })
})

describe("server.json (MCP registry)", () => {
  const server = JSON.parse(renderServerJson())
  const npmLauncher = JSON.parse(read("npm/launcher/package.json"))

  test("names this project, fits the registry's limits, and carries the package version everywhere", () => {
    expect(server.$schema).toMatch(
      /^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d\d-\d\d\/server\.schema\.json$/,
    )
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/)
    expect(server.name).toBe(npmLauncher.mcpName)
    expect(server.description.length).toBeLessThanOrEqual(100)
    expect(server.version).toBe(pkg.version)
    expect(JSON.stringify(server)).not.toMatch(/liesdonk/i)
    const [npm, oci] = server.packages
    expect(npm).toMatchObject({ registryType: "npm", identifier: npmLauncher.name, version: pkg.version })
    expect(npm.transport).toEqual({ type: "stdio" })
    expect(npm.packageArguments).toEqual([{ type: "positional", value: "serve" }])
    expect(oci.registryType).toBe("oci")
    expect(oci.identifier).toEndWith(`:${pkg.version}`)
    expect(oci.transport).toEqual({ type: "streamable-http", url: "http://localhost:8000/mcp" })
  })

  test("lists only variables the config reads, marks every secret, and offers the main settings", () => {
    const known = new Set(configEnvVars())
    for (const entry of server.packages) {
      const vars = entry.environmentVariables as {
        name: string
        isSecret?: boolean
        format?: string
        default?: string
      }[]
      expect(vars.filter((v) => !known.has(v.name)).map((v) => v.name)).toEqual([])
      expect(vars.filter((v) => SECRET.test(v.name) && !v.isSecret).map((v) => v.name)).toEqual([])
      expect(vars.map((v) => v.name)).toEqual(
        expect.arrayContaining([
          "IMAGE_GENERATION_MCP_READ_ONLY",
          "IMAGE_GENERATION_MCP_OPENAI_API_KEY",
          "IMAGE_GENERATION_MCP_GOOGLE_API_KEY",
          "IMAGE_GENERATION_MCP_SD_WEBUI_HOST",
        ]),
      )
      expect(vars.find((v) => v.name === "IMAGE_GENERATION_MCP_READ_ONLY")).toMatchObject({
        format: "boolean",
        default: "true",
      })
    }
    const ociVars = server.packages[1].environmentVariables.map((v: { name: string }) => v.name)
    expect(ociVars).toEqual(
      expect.arrayContaining(["IMAGE_GENERATION_MCP_BEARER_TOKEN", "IMAGE_GENERATION_MCP_BASE_URL"]),
    )
  })
})

describe("provider settings in the packaging metadata come from the definitions", () => {
  const env = renderEnvExample()
  const server = renderServerJson()
  const manifest = JSON.parse(renderManifestTemplate())

  test.each(PROVIDER_DEFINITIONS.flatMap((d) => d.settings.map((s) => [d.name, s] as const)))(
    "%s: %o",
    (_name, spec) => {
      const full = `${ENV_PREFIX}${spec.env}`
      expect(env).toContain(`# ${spec.description}\n#${full}=`)
      if (spec.secret) expect(env).toContain(`#${full}=\n`)
      if (spec.enables || spec.bundleTitle) expect(server).toContain(`"name": "${full}"`)
      const entry = manifest.user_config[spec.env.toLowerCase()]
      if (spec.bundleTitle) {
        expect(entry).toMatchObject({ title: spec.bundleTitle, description: spec.description })
        expect(Boolean(entry.sensitive)).toBe(Boolean(spec.secret))
        expect(manifest.server.mcp_config.env[full]).toBe(`\${user_config.${spec.env.toLowerCase()}}`)
      } else expect(entry).toBeUndefined()
    },
  )

  test("the provider choices and the paid default follow the definitions; no placeholder is left", () => {
    const names = PROVIDER_DEFINITIONS.map((d) => d.name)
    const paid = PROVIDER_DEFINITIONS.filter((d) => d.paidByDefault).map((d) => d.name)
    expect(env).toContain(`#${ENV_PREFIX}PAID_PROVIDERS=${paid.join(",")}\n`)
    expect(manifest.user_config.paid_providers.default).toBe(paid.join(","))
    for (const entry of JSON.parse(server).packages) {
      const choices = entry.environmentVariables.find((v: { name: string }) => v.name.endsWith("DEFAULT_PROVIDER"))
      expect(choices.choices).toEqual(["auto", ...names])
    }
    for (const text of [env, server, JSON.stringify(manifest)]) expect(text).not.toMatch(/@[A-Z_]+@/)
  })
})

describe("Dockerfile and compose.yml", () => {
  const dockerfile = read("Dockerfile")
  const instructions = dockerfile.split("\n").filter((line) => /^[A-Z]+ /.test(line))

  test("runs the prebuilt binaries as a non-root user on distroless, serving HTTP on 0.0.0.0 with /data as the volume", () => {
    const froms = instructions.filter((line) => line.startsWith("FROM "))
    expect(froms.at(-1)).toMatch(/^FROM gcr\.io\/distroless\/base-debian12:nonroot$/)
    for (const target of ["linux-x64", "linux-arm64"]) {
      expect(dockerfile).toContain(`COPY dist/${distDirName(findTarget(target))}/bin/image-generation-mcp `)
    }
    expect(instructions).toContain("USER 65532:65532")
    expect(instructions).toContain('VOLUME ["/data"]')
    expect(instructions).toContain("EXPOSE 8000")
    expect(instructions).toContain('CMD ["serve", "--transport", "http", "--host", "0.0.0.0"]')
    const env = dockerfile.match(/^ENV [\s\S]*?[^\\]\n/m)?.[0] ?? ""
    for (const name of ["SCRATCH_DIR", "STYLES_DIR", "DB_PATH"])
      expect(env).toMatch(new RegExp(`IMAGE_GENERATION_MCP_${name}=/data/`))
    expect(read(".dockerignore").split("\n")).toContain("*")
  })

  test("compose publishes on loopback only, keeps state in a volume and drops privileges", () => {
    const compose = Bun.YAML.parse(read("compose.yml")) as {
      services: Record<string, Record<string, unknown>>
      volumes: Record<string, unknown>
    }
    const service = compose.services["image-generation-mcp"] as Record<string, unknown>
    expect(service.image).toMatch(/^ghcr\.io\/image-generation-mcp\/image-generation-mcp:/)
    expect(service.ports).toEqual(["127.0.0.1:8000:8000"])
    expect(service.volumes).toEqual(["data:/data"])
    expect(service.profiles).toBeUndefined()
    expect(Object.keys(compose.volumes)).toContain("data")
    expect(service).toMatchObject({ read_only: true, cap_drop: ["ALL"], security_opt: ["no-new-privileges:true"] })
  })
})

describe("README.md configuration table", () => {
  test("names every provider setting (without the prefix), so a new provider's settings are documented", () => {
    const table = read("README.md").split("## Configuration")[1]?.split("\n## ")[0] ?? ""
    const missing = PROVIDER_DEFINITIONS.flatMap((d) => d.settings.map((s) => s.env)).filter(
      (env) => !table.includes(`\`${env}\``),
    )
    expect(missing).toEqual([])
  })
})
