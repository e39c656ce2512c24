/** HTTP authentication (docs/decisions.md#auth-modes): what the app and the CLI use. */
export { loadAcl } from "./acl"
export { authInfoFromContext, getIdentity } from "./identity"
export { type Auth, createAuth } from "./middleware"
export { type AuthPlan, NO_AUTH_WARNING, resolveAuthMode } from "./modes"
export type {
  AuthDeps,
  AuthEnv,
  AuthModeName,
  OidcProvider,
  OidcProviderFactory,
  OidcProviderOptions,
  TokenVerifier,
  VerifyResult,
} from "./types"
