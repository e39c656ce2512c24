// Installs the Debian packages the browser and packaging tests drive (Chromium, rpm, lintian, rpmlint,
// qemu-user-static) when they are missing, so `npm test` on a clean Debian host runs every test.
// Without root or apt-get it only says which tests will be skipped; it never fails the run.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

/** Debian package → a file it installs, used to tell whether it is there. */
const PACKAGES = {
  chromium: "/usr/bin/chromium",
  rpm: "/usr/bin/rpmbuild",
  lintian: "/usr/bin/lintian",
  rpmlint: "/usr/bin/rpmlint",
  "qemu-user-static": "/usr/bin/qemu-aarch64-static",
}

const missing = Object.entries(PACKAGES)
  .filter(([, file]) => !existsSync(file))
  .map(([name]) => name)

if (missing.length > 0 && process.platform === "linux") {
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")
  if (!canInstall) {
    console.error(`Not installing ${missing.join(", ")} (needs root and apt-get): the tests that use them are skipped.`)
  } else {
    console.error(`Installing ${missing.join(", ")} with apt-get…`)
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
    const apt = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env }).status === 0
    const ok = apt(["update", "-qq"]) && apt(["install", "-y", "-qq", "--no-install-recommends", ...missing])
    if (!ok) console.error("apt-get failed: the tests that need these packages are skipped.")
  }
}
