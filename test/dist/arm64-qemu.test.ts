// The cross-compiled linux-arm64 binary, run under qemu-user-static with an arm64 C library.
import { beforeAll, describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import pkg from "../../package.json" with { type: "json" }
import { BUILD_TIMEOUT, builtBinary, exec, missingTools, scratchDir, skipWhen } from "./build"
import { generateShowList, stdioClient } from "./session"

const QEMU = "qemu-aarch64-static"
// Debian's libc6-arm64-cross sysroot, or a multiarch libc6:arm64 installed at /.
const SYSROOT = ["/usr/aarch64-linux-gnu", "/"].find((root) => existsSync(`${root}/lib/ld-linux-aarch64.so.1`))
const noQemu = missingTools("the arm64 smoke test", [QEMU]).length > 0
const noLibc = skipWhen(!noQemu && !SYSROOT, "the arm64 smoke test", "no arm64 C library (libc6-arm64-cross)")
let binary = ""

beforeAll(async () => {
  if (!noQemu && !noLibc) binary = await builtBinary("linux-arm64")
}, BUILD_TIMEOUT)

describe.skipIf(noQemu || noLibc)("linux-arm64 binary under qemu", () => {
  test(
    "is an aarch64 ELF executable and prints its version",
    async () => {
      const header = new Uint8Array(await Bun.file(binary).slice(0, 20).arrayBuffer())
      expect([...header.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46])
      expect((header[18] as number) | ((header[19] as number) << 8)).toBe(183) // EM_AARCH64
      const home = scratchDir("arm64")
      const result = await exec([QEMU, "-L", SYSROOT as string, binary, "--version"], {
        cwd: home,
        env: { HOME: home },
      })
      expect(result.stdout.trim()).toBe(`image-generation-mcp ${pkg.version}`)
    },
    BUILD_TIMEOUT,
  )

  test(
    "serves a stdio session: generate with the placeholder, show, list",
    async () => {
      const home = scratchDir("arm64")
      const client = await stdioClient({
        command: QEMU,
        args: ["-L", SYSROOT as string, binary, "serve"],
        env: { PATH: "/usr/bin:/bin", HOME: home, IMAGE_GENERATION_MCP_READ_ONLY: "false" },
        cwd: home,
      })
      try {
        await generateShowList(client)
      } finally {
        await client.close()
      }
    },
    BUILD_TIMEOUT,
  )
})
