#!/usr/bin/env bun
// Packs the Linux binaries in dist/ as .deb (dpkg-deb) and .rpm (rpmbuild) for amd64 and arm64.
// It never builds: run scripts/build.ts first.
//
//   bun scripts/package-linux.ts [--dist dir] [--format deb|rpm]… [--fast]
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import { targetName, VERSION } from "./build-targets"
import { writeChecksums } from "./checksums"
import { builtBinary, builtTargets, packageVersion, ROOT } from "./dist-lib"
import { buildDeb } from "./package-deb"
import { buildRpm } from "./package-rpm"

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    dist: { type: "string", default: `${ROOT}/dist` },
    format: { type: "string", multiple: true, default: ["deb", "rpm"] },
    fast: { type: "boolean", default: false },
  },
  strict: true,
})

try {
  const dist = resolve(values.dist)
  const unknown = values.format.filter((f) => f !== "deb" && f !== "rpm")
  if (unknown.length) throw new Error(`unknown --format ${unknown.join(", ")} (formats: deb, rpm)`)
  const targets = builtTargets(dist, (t) => t.os === "linux" && !t.baseline)
  if (targets.length === 0) throw new Error(`no Linux binary in ${dist}: run scripts/build.ts first`)
  const version = packageVersion(VERSION)
  for (const target of targets) {
    const binary = builtBinary(dist, target) as string
    const options = { target, binary, version, outdir: dist, fast: values.fast }
    if (values.format.includes("deb")) console.error(`${targetName(target)} → ${await buildDeb(options)}`)
    if (values.format.includes("rpm")) console.error(`${targetName(target)} → ${await buildRpm(options)}`)
  }
  console.error(`checksums → ${await writeChecksums(dist)}`)
} catch (error) {
  console.error(`package-linux: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
