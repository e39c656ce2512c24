import { AppError } from "@/core/errors"
import { createLogger } from "@/util/log"
import type { Identity } from "./identity"

const log = createLogger("auth")

/** Scopes an ACL may grant: `write` lets a subject call write tools, `*` grants everything. */
export const ACL_SCOPES = ["read", "write", "*"] as const
export type AclScope = (typeof ACL_SCOPES)[number]

export interface Acl {
  /** The file it was read from, for messages. */
  path: string
  /** Subject → granted scopes. A subject that is not listed is granted nothing. */
  subjects: ReadonlyMap<string, ReadonlySet<AclScope>>
}

/** A write call the caller's ACL entry does not allow. The message does not name the subject. */
export class PermissionDeniedError extends AppError {
  override name = "PermissionDeniedError"
  constructor(toolName: string) {
    super(
      "forbidden",
      "permission_denied",
      `Permission denied: ${toolName} changes data and needs the 'write' scope, which your credentials are not granted.`,
      { tag: null },
    )
  }
}

/** Whether the ACL lets `identity` make a call. Only write calls are restricted: they need `write` or `*`. */
export function canCall(acl: Acl, identity: Pick<Identity, "subject">, call: { write: boolean }): boolean {
  if (!call.write) return true
  const granted = acl.subjects.get(identity.subject)
  return granted !== undefined && (granted.has("write") || granted.has("*"))
}

/**
 * The check before a tool runs: throws `PermissionDeniedError` when the ACL refuses the call, and logs the denial
 * with the subject. Without an ACL everything passes.
 */
export function authorizeToolCall(
  acl: Acl | undefined,
  identity: Pick<Identity, "subject">,
  toolName: string,
  isWrite: boolean,
): void {
  if (!acl || canCall(acl, identity, { write: isWrite })) return
  log.warning("Tool call denied by the ACL", { subject: identity.subject, tool: toolName, needs: "write" })
  throw new PermissionDeniedError(toolName)
}
