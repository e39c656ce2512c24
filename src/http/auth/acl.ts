import { ENV_PREFIX } from "@/config/env"
import { createLogger } from "@/util/log"
import { fileError, isTable, readTomlTable, type TomlSource } from "./toml"
import type { Identity } from "./types"

const log = createLogger("auth")

/** Scopes an ACL may grant: `write` lets a subject call write tools, `*` grants everything. */
export const ACL_SCOPES = ["read", "write", "*"] as const
export type AclScope = (typeof ACL_SCOPES)[number]

export interface Acl {
  path: string
  /** Subject → granted scopes. A subject that is not listed is granted nothing. */
  subjects: ReadonlyMap<string, ReadonlySet<AclScope>>
}

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

/** Whether the ACL lets `identity` make a call. Only write calls are restricted: they need `write` or `*`. */
export function canCall(acl: Acl, identity: Pick<Identity, "subject">, call: { write: boolean }): boolean {
  if (!call.write) return true
  const granted = acl.subjects.get(identity.subject)
  return granted !== undefined && (granted.has("write") || granted.has("*"))
}

/**
 * The MCP layer's check before running a tool: `undefined` to go ahead, else the message for the client.
 * The message does not name the subject; the denial is logged with it. Without an ACL everything passes.
 */
export function aclCheck(
  acl: Acl | undefined,
  identity: Pick<Identity, "subject">,
  toolName: string,
  isWrite: boolean,
): string | undefined {
  if (!acl || canCall(acl, identity, { write: isWrite })) return undefined
  log.warning("Tool call denied by the ACL", { subject: identity.subject, tool: toolName, needs: "write" })
  return `Permission denied: ${toolName} changes data and needs the 'write' scope, which your credentials are not granted.`
}
