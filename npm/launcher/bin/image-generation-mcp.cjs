#!/usr/bin/env node
// Runs the prebuilt image-generation-mcp binary for this machine. npm installs the one per-platform
// package in optionalDependencies whose os and cpu match. On x64 Linux CPUs without AVX2, the separately
// installed image-generation-mcp-linux-x64-baseline is preferred.
"use strict"
const { existsSync, readFileSync } = require("node:fs")
const { dirname, join } = require("node:path")
const { supervise } = require("./supervise.cjs")

const NAME = "image-generation-mcp"

function hasAvx2() {
  try {
    return /\bavx2\b/.test(readFileSync("/proc/cpuinfo", "utf8"))
  } catch {
    return true
  }
}

const OLD_X64 = process.platform === "linux" && process.arch === "x64" && !hasAvx2()

function candidates() {
  const base = `${process.platform}-${process.arch}`
  return OLD_X64 ? [`${base}-baseline`, base] : [base]
}

function findBinary() {
  const file = process.platform === "win32" ? `${NAME}.exe` : NAME
  for (const suffix of candidates()) {
    try {
      const pkg = require.resolve(`${NAME}-${suffix}/package.json`)
      const binary = join(dirname(pkg), "bin", file)
      if (existsSync(binary)) return binary
    } catch {
      // not installed: try the next candidate
    }
  }
  return undefined
}

const binary = findBinary()
if (!binary) {
  process.stderr.write(
    `${NAME}: no prebuilt binary for ${process.platform}-${process.arch}. ` +
      `npm installs it as the optional dependency ${NAME}-${process.platform}-${process.arch}: reinstall without ` +
      `--omit=optional / --no-optional. Supported: linux x64/arm64 (glibc), macOS x64/arm64, Windows x64.\n`,
  )
  process.exit(1)
}

supervise(binary, process.argv.slice(2), {
  name: NAME,
  onSignalExit(signal) {
    if (signal === "SIGILL" && OLD_X64) {
      process.stderr.write(`${NAME}: this CPU lacks AVX2; install ${NAME}-linux-x64-baseline next to ${NAME}.\n`)
    }
  },
})
