// The MCP edge's public surface: what the HTTP edge and the CLI may use. Everything else in src/mcp is internal
// (lint keeps src/http on this entry).
export { toAuthInfo } from "./auth-info"
export { checkSdkPatches } from "./sdk-patches"
export { createMcpServer } from "./server"
