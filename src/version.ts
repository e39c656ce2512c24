import pkg from "../package.json" with { type: "json" }

export const VERSION: string = pkg.version
export const SDK_VERSION: string = pkg.dependencies["@modelcontextprotocol/sdk"]
