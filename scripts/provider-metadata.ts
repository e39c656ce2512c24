// The provider parts of the packaging metadata (env.example, the .mcpb manifest, server.json), rendered from the
// provider definitions so that adding a provider never means editing them by hand.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ENV_PREFIX } from "../src/config/env"
import type { SettingSpec } from "../src/providers/definition"
import { PROVIDER_DEFINITIONS } from "../src/providers/index"

const PACKAGING = join(import.meta.dir, "..", "packaging")

/** `auto, placeholder, openai, …` for prose that lists the provider choices. */
export const providerChoices = (): string[] => ["auto", ...PROVIDER_DEFINITIONS.map((d) => d.name)]

const paidDefault = () =>
  PROVIDER_DEFINITIONS.filter((d) => d.paidByDefault)
    .map((d) => d.name)
    .join(",")

/** Replaces the `@PROVIDER_NAMES@`, `@PAID_DEFAULT@` placeholders of a template. */
function fillNames(text: string): string {
  return text.replaceAll("@PROVIDER_NAMES@", providerChoices().join(", ")).replaceAll("@PAID_DEFAULT@", paidDefault())
}

const documentedValue = (spec: SettingSpec) =>
  spec.default === undefined ? (spec.secret ? "" : (spec.example ?? "")) : String(spec.default)

/** The env.example section of every provider with settings: a comment per setting, the value commented out. */
export function providerEnvBlock(): string {
  const blocks = PROVIDER_DEFINITIONS.filter((d) => d.settings.length > 0).map((d) => {
    const lines = [`# --- Provider ${d.name} ---`]
    for (const spec of d.settings) {
      lines.push(`# ${spec.description}`, `#${ENV_PREFIX}${spec.env}=${documentedValue(spec)}`)
    }
    const aliases = d.settings.flatMap((s) => (s.deprecatedAliases ?? []).map((a) => [a, s.env] as const))
    if (aliases.length) {
      lines.push("# Deprecated spellings, read only when the names above are unset (a warning is logged).")
      for (const [alias] of aliases) lines.push(`#${ENV_PREFIX}${alias}=`)
    }
    return lines.join("\n")
  })
  return blocks.join("\n\n")
}

/** packaging/env.example as installed: the template with the providers' sections filled in. */
export function renderEnvExample(): string {
  const template = readFileSync(join(PACKAGING, "env.example.in"), "utf8")
  return fillNames(template.replace("#@PROVIDER_SETTINGS@", providerEnvBlock()))
}

/** A setting offered in the bundle's dialog: the key it has in `user_config` and its entry. */
function bundleEntries(): [string, SettingSpec][] {
  return PROVIDER_DEFINITIONS.flatMap((d) =>
    d.settings.flatMap((s): [string, SettingSpec][] => (s.bundleTitle ? [[s.env.toLowerCase(), s]] : [])),
  )
}

/** The .mcpb manifest template with the providers' settings added to `user_config` and the server's env. */
export function renderManifestTemplate(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGING, "mcpb", "manifest.json.in"), "utf8"))
  const env: Record<string, string> = manifest.server.mcp_config.env
  const userConfig: Record<string, unknown> = manifest.user_config
  for (const [key, spec] of bundleEntries()) {
    // The host fills ${user_config.<key>} in when it starts the server.
    env[`${ENV_PREFIX}${spec.env}`] = `\${user_config.${key}}`
    userConfig[key] = {
      type: "string",
      title: spec.bundleTitle,
      description: spec.description,
      required: false,
      ...(spec.secret && { sensitive: true }),
      default: spec.default === undefined ? "" : String(spec.default),
    }
  }
  return fillNames(JSON.stringify(manifest, null, 2))
}

/** server.json's variables for the providers: every setting that enables one or appears in the bundle. */
function registryVariables(): Record<string, unknown>[] {
  return PROVIDER_DEFINITIONS.flatMap((d) =>
    d.settings
      .filter((s) => s.enables || s.bundleTitle)
      .map((s) => ({
        name: `${ENV_PREFIX}${s.env}`,
        description: s.description,
        ...(s.secret && { isSecret: true }),
        ...(!s.secret && s.example && { placeholder: s.example }),
        ...(s.default !== undefined && { default: String(s.default) }),
      })),
  )
}

/** server.json for the MCP registry: the template with the providers' variables and choices filled in. */
export function renderServerJson(): string {
  const server = JSON.parse(readFileSync(join(PACKAGING, "server.json.in"), "utf8"))
  for (const entry of server.packages as { environmentVariables: Record<string, unknown>[] }[]) {
    const at = entry.environmentVariables.findIndex((v) => v.name === "@PROVIDER_SETTINGS@")
    entry.environmentVariables.splice(at, 1, ...registryVariables())
    for (const v of entry.environmentVariables) {
      if (v.choices === "@PROVIDER_CHOICES@") v.choices = providerChoices()
    }
  }
  return `${fillNames(JSON.stringify(server, null, 2))}\n`
}
