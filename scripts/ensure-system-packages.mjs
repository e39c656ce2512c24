// Installs the Debian packages the browser, packaging and load-balancer tests drive (Chromium, rpm, lintian,
// rpmlint, qemu-user-static with an arm64 libc, systemd-nspawn, HAProxy, nginx) when they are missing, so
// `npm test` on a clean Debian host runs every test. Without root or apt-get it only says which tests will be skipped; a failed
// install is reported and skipped too: it never fails the run.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

/** Debian package → a file it installs, used to tell whether it is there. */
const PACKAGES = {
  chromium: "/usr/bin/chromium",
  rpm: "/usr/bin/rpmbuild",
  lintian: "/usr/bin/lintian",
  rpmlint: "/usr/bin/rpmlint",
  "qemu-user-static": "/usr/bin/qemu-aarch64-static",
  // The arm64 C library as a cross sysroot (/usr/aarch64-linux-gnu): no foreign dpkg architecture needed.
  "libc6-arm64-cross": "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1",
  "systemd-container": "/usr/bin/systemd-nspawn",
  haproxy: "/usr/sbin/haproxy",
  "nginx-light": "/usr/sbin/nginx",
  // Only its binaries are used: the storage tests initialise and start throwaway clusters of their own.
  "postgresql-15": "/usr/lib/postgresql/15/bin/postgres",
}

/** Packages whose install starts a system service; the tests run their own instances, so it is stopped again. */
const SERVICES = { haproxy: "haproxy", "nginx-light": "nginx" }

const missing = Object.entries(PACKAGES)
  .filter(([, file]) => !existsSync(file))
  .map(([name]) => name)

/** systemd-container must match the installed systemd exactly; ask for that version so systemd is not upgraded. */
function pinned(name) {
  if (name !== "systemd-container") return name
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
  const query = spawnSync("dpkg-query", ["-W", "-f=${Version}", "systemd"], { encoding: "utf8" })
  return query.status === 0 && query.stdout ? `${name}=${query.stdout}` : name
}

if (missing.length > 0 && process.platform === "linux") {
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")
  if (!canInstall) {
    console.error(`Not installing ${missing.join(", ")} (needs root and apt-get): the tests that use them are skipped.`)
  } else {
    console.error(`Installing ${missing.join(", ")} with apt-get…`)
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
    const apt = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env }).status === 0
    if (!apt(["update", "-qq"])) console.error("apt-get update failed: trying the install with the lists at hand.")
    // One package at a time, so one that cannot be installed here does not keep the others out.
    const failed = missing.filter((name) => !apt(["install", "-y", "-qq", "--no-install-recommends", pinned(name)]))
    if (failed.length) console.error(`Could not install ${failed.join(", ")}: the tests that need them are skipped.`)
    for (const name of missing.filter((n) => SERVICES[n] && !failed.includes(n))) stopService(SERVICES[name])
  }
}

/** Stops and disables a service a package install started (nginx would otherwise hold port 80 from now on). */
function stopService(unit) {
  if (!existsSync("/run/systemd/system")) return
  const run = spawnSync("systemctl", ["disable", "--now", unit], { stdio: ["ignore", "ignore", "inherit"] })
  if (run.status === 0) console.error(`Stopped and disabled the ${unit} service the package started.`)
}
