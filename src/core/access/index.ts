/** Who is calling and what they may do: plain policy, fed by the edges (HTTP credentials, MCP `AuthInfo`). */
export { ACL_SCOPES, type Acl, type AclScope, authorizeToolCall, canCall, PermissionDeniedError } from "./acl"
export { type Identity, LOCAL_IDENTITY, localIdentity } from "./identity"
