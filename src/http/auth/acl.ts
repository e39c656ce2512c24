import { ENV_PREFIX } from "@/config/env"
import { ACL_SCOPES, type Acl, type AclScope } from "@/core/access"
import { fileError, isTable, readTomlTable, type TomlSource } from "./toml"

/**
 * Loads `IMAGE_GENERATION_MCP_ACL_PATH`: a non-empty `[subjects]` table of `"<subject>" = ["read", "write"]`.
 * Any malformed case (missing file, bad TOML, no or empty table, non-list values, unknown scopes, blank
 * subjects, nested tables) is a `ConfigError` naming the file and the problem.
 */
export async function loadAcl(path: string): Promise<Acl> {
  const source: TomlSource = { setting: `${ENV_PREFIX}ACL_PATH`, path, quoteParseErrors: true }
  const table = await readTomlTable(source, "subjects")
  const subjects = new Map<string, ReadonlySet<AclScope>>()
  for (const [subject, scopes] of Object.entries(table)) {
    const name = JSON.stringify(subject)
    if (subject.trim() === "") throw fileError(source, "[subjects] has a blank subject")
    if (isTable(scopes)) throw fileError(source, `subject ${name} is a nested table; expected a list of scopes`)
    if (!Array.isArray(scopes)) throw fileError(source, `subject ${name} must map to a list of scopes, e.g. ["write"]`)
    for (const scope of scopes) {
      if (!(ACL_SCOPES as readonly unknown[]).includes(scope)) {
        const shown = typeof scope === "string" ? JSON.stringify(scope) : `a ${typeof scope}`
        throw fileError(source, `subject ${name} has the unknown scope ${shown} (known: ${ACL_SCOPES.join(", ")})`)
      }
    }
    subjects.set(subject.trim(), new Set(scopes as AclScope[]))
  }
  return { path, subjects }
}
