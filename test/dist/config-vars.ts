// The environment variables the current configuration reads: from the source of src/config/ and the provider
// definitions.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ENV_PREFIX } from "@/config/env"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
import { ROOT } from "./build"

// The calls that read a variable: r.string("X"), r.bool("X", …, { raw: true }), url(r, "X"), storeUrl(r, "X"),
// optionalPort(r, "X"), budget(r, "X"), deprecatedAlias(r, "X", "Y"); their arguments hold no parentheses.
const READ_CALL =
  /\b(?:r\s*\.\s*(?:string|stringOrEmpty|bool|int|number|list)|url|storeUrl|optionalPort|budget|deprecatedAlias)\s*\(([^()]*)\)/g
const NAME = /"([A-Z][A-Z0-9_]*)"/g

/** Full names (`IMAGE_GENERATION_MCP_READ_ONLY`, `FASTMCP_LOG_LEVEL`), sorted. */
export function configEnvVars(): string[] {
  const dir = join(ROOT, "src", "config")
  const names = new Set<string>()
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(dir, file), "utf8")
    for (const [, args = ""] of source.matchAll(READ_CALL)) {
      const raw = /\braw:\s*true\b/.test(args)
      for (const [, name = ""] of args.matchAll(NAME)) names.add(raw ? name : ENV_PREFIX + name)
    }
  }
  for (const spec of PROVIDER_DEFINITIONS.flatMap((d) => d.settings)) {
    for (const name of [spec.env, ...(spec.deprecatedAliases ?? [])]) names.add(ENV_PREFIX + name)
  }
  return [...names].sort()
}
