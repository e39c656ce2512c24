#!/usr/bin/env bun
// Writes dist/server.json, the MCP registry entry, from packaging/server.json.in and the provider definitions.
// Publish it with the registry's publisher from dist/.
//
//   bun scripts/package-registry.ts [--dist dir]
import { mkdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { ROOT } from "./dist-lib"
import { renderServerJson } from "./provider-metadata"

if (import.meta.main) {
  const { values } = parseArgs({ options: { dist: { type: "string", default: join(ROOT, "dist") } } })
  const dist = resolve(values.dist as string)
  mkdirSync(dist, { recursive: true })
  writeFileSync(join(dist, "server.json"), renderServerJson())
  console.error(`wrote ${join(dist, "server.json")}`)
}
