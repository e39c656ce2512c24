// The hardened systemd unit: its directives, its exposure score, and the service really starting under
// every directive: the .deb installed into a throwaway root, booted with systemd in a container.
import { describe, expect, test } from "bun:test"
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { STATE_DEADLINE_MS } from "../helpers/wait"
import { BUILD_TIMEOUT, builtLinuxPackages, exec, freePort, missingTools, ROOT, skipWhen } from "./build"
import { generateShowList, httpClient, waitForHealthy } from "./session"
import { createRoot, dpkgRoot } from "./throwaway-root"

const NAME = "image-generation-mcp"
const UNIT_PATH = join(ROOT, "packaging", "systemd", `${NAME}.service`)
const unit = readFileSync(UNIT_PATH, "utf8")
const directives = unit.split("\n").filter((line) => /^[A-Za-z]+=/.test(line))

const REFERENCE_DIRECTIVES = [
  "Description=Image Generation MCP Server",
  "After=network-online.target",
  "Wants=network-online.target",
  "Type=exec",
  `User=${NAME}`,
  `Group=${NAME}`,
  `EnvironmentFile=-/etc/${NAME}/env`,
  `ExecStart=/usr/bin/${NAME} serve --transport http`,
  "Restart=on-failure",
  "RestartSec=5s",
  "TimeoutStartSec=30s",
  `StateDirectory=${NAME}`,
  `WorkingDirectory=/var/lib/${NAME}`,
  "StandardOutput=journal",
  "StandardError=journal",
  `SyslogIdentifier=${NAME}`,
  "ProtectSystem=strict",
  "ProtectHome=yes",
  "NoNewPrivileges=yes",
  "PrivateTmp=yes",
  "PrivateDevices=yes",
  "ProtectKernelTunables=yes",
  "ProtectKernelModules=yes",
  "ProtectControlGroups=yes",
  "RestrictSUIDSGID=yes",
  "RestrictRealtime=yes",
  "SystemCallArchitectures=native",
  `ReadWritePaths=/var/lib/${NAME}`,
  "WantedBy=multi-user.target",
]

describe("systemd unit", () => {
  test("keeps every directive of the reference unit and adds the sandbox; MemoryDenyWriteExecute stays off", () => {
    expect(REFERENCE_DIRECTIVES.filter((d) => !directives.includes(d))).toEqual([])
    for (const added of [
      "PrivateUsers=yes",
      "ProtectProc=invisible",
      "ProcSubset=pid",
      "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
      "SystemCallFilter=@system-service",
      "CapabilityBoundingSet=",
      "ProtectClock=yes",
      "ProtectHostname=yes",
      "ProtectKernelLogs=yes",
      "LockPersonality=yes",
      "RestrictNamespaces=yes",
      "UMask=0077",
      "DevicePolicy=closed",
    ]) {
      expect(directives).toContain(added)
    }
    expect(directives.some((d) => d.startsWith("MemoryDenyWriteExecute="))).toBe(false)
    expect(directives.some((d) => d.startsWith("IPAddressDeny="))).toBe(false)
  })

  const noAnalyze = missingTools("the unit's exposure score", ["systemd-analyze"]).length > 0
  test.skipIf(noAnalyze)("systemd-analyze security --offline rates its exposure at 2.0 or below", async () => {
    const result = await exec(["systemd-analyze", "security", "--offline=true", "--no-pager", UNIT_PATH])
    const score = Number(result.stdout.match(/Overall exposure level for .*: (\d+\.\d+)/)?.[1])
    expect(score).toBeLessThanOrEqual(2.0)
    // The remaining exposure is network access, which the server needs, and the JIT's W+X memory.
    const open = result.stdout.split("\n").filter((l) => l.startsWith("✗"))
    expect(open.some((l) => l.includes("MemoryDenyWriteExecute="))).toBe(true)
    expect(open.some((l) => /PrivateUsers=|ProtectSystem=|SystemCallFilter=|CapabilityBoundingSet=/.test(l))).toBe(
      false,
    )
  })
})

const bootMissing =
  missingTools("booting the unit in a container", ["systemd-nspawn", "nsenter", "dpkg", "dpkg-deb"]).length > 0
const notRoot = skipWhen(!bootMissing && process.getuid?.() !== 0, "booting the unit in a container", "needs root")

/** Makes the dpkg root bootable: host /usr underneath the package's /usr (overlay), and a target that starts only the unit. */
function prepareBoot(root: string, port: number): void {
  for (const dir of ["bin", "lib", "lib64", "sbin"]) symlinkSync(`usr/${dir}`, join(root, dir))
  cpSync("/usr/lib/os-release", join(root, "etc", "os-release"))
  cpSync("/etc/nsswitch.conf", join(root, "etc", "nsswitch.conf"))
  writeFileSync(join(root, "etc", "machine-id"), "")
  mkdirSync(join(root, "etc", "systemd", "system"), { recursive: true })
  writeFileSync(
    join(root, "etc", "systemd", "system", "igm-verify.target"),
    `[Unit]\nDescription=Start only ${NAME}\nWants=${NAME}.service\n`,
  )
  appendFileSync(
    join(root, "etc", NAME, "env"),
    `IMAGE_GENERATION_MCP_PORT=${port}\nIMAGE_GENERATION_MCP_READ_ONLY=false\n`,
  )
}

/** Runs `cmd` inside the container's namespaces (its pid 1 is the child of systemd-nspawn). */
async function inContainer(nspawnPid: number, cmd: string[]): Promise<string> {
  const children = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, "utf8").trim()
  const init = Number(children.split(" ")[0])
  const result = await exec(["nsenter", "-t", String(init), "-a", ...cmd])
  if (result.code !== 0) throw new Error(`${cmd.join(" ")} in the container exited ${result.code}: ${result.stderr}`)
  return result.stdout
}

describe.skipIf(bootMissing || notRoot)("systemd unit, booted in a container from the installed .deb", () => {
  test(
    "starts under every directive, sandboxed as declared, and serves MCP over HTTP",
    async () => {
      const root = createRoot()
      const machine = `igm-verify-${process.pid}`
      const port = freePort()
      await dpkgRoot(root, ["-i", (await builtLinuxPackages()).deb.amd64])
      prepareBoot(root, port)
      const container = Bun.spawn(
        [
          "systemd-nspawn",
          `--directory=${root}`,
          `--machine=${machine}`,
          `--overlay=/usr:${join(root, "usr")}:/usr`,
          "--register=no",
          "--keep-unit",
          "--quiet",
          "--boot",
          "--",
          "systemd.unit=igm-verify.target",
        ],
        // A container left behind by an aborted run is stopped (SIGTERM = orderly shutdown) with the test's limit.
        { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: BUILD_TIMEOUT, killSignal: "SIGTERM" },
      )
      const output = Promise.all([new Response(container.stdout).text(), new Response(container.stderr).text()])
      try {
        const health = await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 3 * STATE_DEADLINE_MS).catch(
          async (error: Error) => {
            container.kill("SIGTERM")
            throw new Error(`${error.message}\ncontainer output:\n${(await output).join("\n")}`)
          },
        )
        expect(health).toMatchObject({ status: "ok" })
        const id = await generateShowList(await httpClient(`http://127.0.0.1:${port}/mcp`))

        const show = await inContainer(container.pid, [
          "systemctl",
          "show",
          `${NAME}.service`,
          "-p",
          "ActiveState,NRestarts,MainPID",
        ])
        expect(show).toContain("ActiveState=active")
        expect(show).toContain("NRestarts=0")
        const pid = show.match(/MainPID=(\d+)/)?.[1] as string
        const status = await inContainer(container.pid, ["cat", `/proc/${pid}/status`, `/proc/${pid}/uid_map`])
        expect(status).toMatch(/^NoNewPrivs:\s+1$/m)
        expect(status).toMatch(/^Seccomp:\s+2$/m)
        expect(status).toMatch(/^CapEff:\s+0+$/m)
        expect(status).not.toMatch(/^Uid:\s+0\s/m)
        const uidMap = status.split("\n").filter((l) => /^\s*\d+\s+\d+\s+1$/.test(l))
        expect(uidMap).toHaveLength(2)
        expect(await inContainer(container.pid, ["systemd-analyze", "verify", `${NAME}.service`])).toBe("")

        const image = statSync(join(root, "var", "lib", NAME, "images", `${id}.json`))
        expect(image.mode & 0o777).toBe(0o600)
      } finally {
        container.kill("SIGTERM")
        await container.exited
        rmSync(`/run/systemd/nspawn/propagate/${machine}`, { recursive: true, force: true })
      }
    },
    BUILD_TIMEOUT,
  )
})
