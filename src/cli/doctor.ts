import { mkdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Config } from "@/config/config"
import type { DoctorFinding } from "@/providers/definition"
import { PROVIDER_DEFINITIONS } from "@/providers/index"
import { createConfiguredProviders } from "@/providers/registry"
import type { ImageProvider } from "@/providers/types"
import { checkStorage } from "@/storage"
import { redact } from "@/util/redact"
import { VERSION } from "@/version"
import { configSummary } from "./doctor-config"
import { budgetSummary, checkBudgets, checkPrices } from "./doctor-usage"
import { stopCause, stoppedExitCode, stopSignal } from "./stop"

type Finding = DoctorFinding

/**
 * `image-generation-mcp doctor`: checks configuration, storage and every configured provider. A stop request ends
 * it between two checks (a provider check in flight is abandoned) with 128 + the signal number.
 */
export async function runDoctor(config: Config, warnings: string[], stop: AbortSignal = stopSignal): Promise<number> {
  console.log(`image-generation-mcp ${VERSION} doctor\n`)
  console.log("Configuration")
  for (const [key, value] of [...configSummary(config), ...budgetSummary(config)])
    console.log(`  ${key.padEnd(24)} ${value}`)
  for (const warning of warnings) console.log(`  warning: ${warning}`)

  const providers = createConfiguredProviders(config.providers)
  const checks: (() => Finding | Promise<Finding | Finding[]>)[] = [
    () => checkStorage(config),
    ...(config.blobStoreUrl
      ? []
      : [() => checkWritable("scratch dir", config.scratchDir, "IMAGE_GENERATION_MCP_SCRATCH_DIR")]),
    () => checkWritable("styles dir", config.stylesDir, "IMAGE_GENERATION_MCP_STYLES_DIR"),
    () => checkPrices(config),
    () => checkBudgets(config),
    ...providers.map((provider) => () => checkProvider(provider, stop)),
  ]
  const findings: Finding[] = []
  try {
    for (const check of checks) {
      const found = await check()
      if (stop.aborted) break
      findings.push(...(Array.isArray(found) ? found : [found]))
    }
  } finally {
    await Promise.all(providers.map((p) => p.dispose?.().catch(() => {})))
  }

  console.log("\nChecks")
  for (const f of findings) {
    console.log(`  ${f.ok ? "ok  " : "FAIL"}  ${f.label.padEnd(22)} ${f.detail}`)
    if (!f.ok && f.fix) console.log(`        fix: ${f.fix}`)
  }
  if (stop.aborted) {
    console.log(`\nStopped (${stopCause(stop)}) after ${findings.length} of ${checks.length} checks.`)
    return stoppedExitCode(stop)
  }
  const failed = findings.filter((f) => !f.ok).length
  console.log(failed ? `\n${failed} problem(s) found.` : "\nEverything looks fine.")
  return failed ? 1 : 0
}

async function checkWritable(label: string, dir: string, variable: string): Promise<Finding> {
  const probe = join(dir, `.doctor-${process.pid}.tmp`)
  try {
    await mkdir(dir, { recursive: true })
    await writeFile(probe, "ok")
    await rm(probe)
    return { ok: true, label, detail: `${dir} (writable)` }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    return {
      ok: false,
      label,
      detail: `${dir} is not writable (${reason})`,
      fix: `Fix the directory's permissions or set ${variable} to a writable directory.`,
    }
  }
}

/** Reachability and discovery, then the provider's own checks (versions, models the service no longer lists). */
async function checkProvider(provider: ImageProvider, stop: AbortSignal): Promise<Finding[]> {
  const label = `provider ${provider.name}`
  const hints = PROVIDER_DEFINITIONS.find((d) => d.name === provider.name)?.doctor
  const fix = hints?.fix
  const signal = () => AbortSignal.any([AbortSignal.timeout(10_000), stop])
  try {
    await provider.ping?.(signal())
    const caps = await provider.discover(signal())
    if (caps.degraded) return [{ ok: false, label, detail: "not reachable (model discovery failed)", fix }]
    const models = caps.models.map((m) => m.model_id)
    const reachable = { ok: true, label, detail: `reachable; models: ${models.join(", ") || "(none)"}` }
    return [reachable, ...((await hints?.checks?.(provider, signal())) ?? [])]
  } catch (error) {
    return [{ ok: false, label, detail: `not reachable: ${redact((error as Error).message)}`, fix }]
  }
}
