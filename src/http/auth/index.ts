/** HTTP authentication (docs/decisions.md#auth-modes): what the app, the CLI and the MCP layer use. */
export { type Acl, aclCheck, canCall, loadAcl } from "./acl"
export { authInfoFromContext, getIdentity, identityFromAuthInfo, LOCAL_IDENTITY, toAuthInfo } from "./identity"
export { type Auth, createAuth } from "./middleware"
export { type AuthPlan, NO_AUTH_WARNING, resolveAuthMode } from "./modes"
export type {
  AuthDeps,
  AuthEnv,
  AuthModeName,
  Identity,
  OidcProvider,
  OidcProviderFactory,
  OidcProviderOptions,
  TokenVerifier,
  VerifyResult,
} from "./types"
