import { join } from "node:path"

export const ROOT = join(import.meta.dir, "..", "..")
export const CLI = join(ROOT, "src", "cli", "index.ts")

/** Runs the CLI to completion with a clean environment plus `env`. */
export async function runCli(args: string[], env: Record<string, string> = {}, stdin = "") {
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdin: new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}
