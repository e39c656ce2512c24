import type { DoctorFinding } from "../definition"
import type { ComfyClient } from "./http"
import { parseSystemStats, type SystemStats, versionAtLeast } from "./object-info"
import type { ComfyUiOptions, Discovered } from "./provider"
import { WORKFLOWS_SETTING } from "./workflows"

/** POST /interrupt takes the prompt_id to stop from this version on (server.py, #9607). */
export const TARGETED_INTERRUPT_SINCE = [0, 3, 57] as const

const GIB = 1024 ** 3
const gib = (bytes: number | undefined) => (bytes === undefined ? "?" : `${(bytes / GIB).toFixed(1)} GiB`)

/** Doctor's view of one ComfyUI: version, devices, the models and workflows its last discovery found. */
export async function doctorFindings(
  client: ComfyClient,
  options: ComfyUiOptions,
  state: () => Discovered,
  getJson: (path: string, signal?: AbortSignal) => Promise<unknown>,
  signal: AbortSignal,
): Promise<DoctorFinding[]> {
  const stats: SystemStats | undefined = parseSystemStats(await getJson("/system_stats", signal))
  const found = state()
  const findings: DoctorFinding[] = []
  const version = stats?.version
  const targeted = versionAtLeast(version, TARGETED_INTERRUPT_SINCE)
  findings.push({
    ok: Boolean(version),
    label: "comfyui version",
    detail: version
      ? `${version} at ${client.base}${stats?.python ? ` (Python ${stats.python}, PyTorch ${stats.pytorch ?? "?"})` : ""}; ${targeted ? "cancel interrupts this server's prompt by its id" : "cancel interrupts only after checking that this server's prompt is the one running"}`
      : "ComfyUI does not report its version in /system_stats",
    fix: version ? undefined : "Update ComfyUI (0.3.57 or later interrupts prompts by id).",
  })
  const devices = stats?.devices ?? []
  findings.push({
    ok: devices.length > 0,
    label: "comfyui devices",
    detail: devices.length
      ? devices.map((d) => `${d.name} (${d.type}; VRAM ${gib(d.vramTotal)}, ${gib(d.vramFree)} free)`).join("; ")
      : "no device reported",
  })
  const checkpoints = found.models.filter((m) => m.kind === "checkpoint").length
  const diffusion = found.models.filter((m) => m.kind === "diffusion").length
  findings.push({
    ok: checkpoints + diffusion > 0 || found.workflows.length > 0,
    label: "comfyui models",
    detail: `${checkpoints} checkpoint(s), ${diffusion} Flux diffusion model(s) with the built-in workflows`,
    fix: "Put a checkpoint in ComfyUI's models/checkpoints folder (or a Flux model in models/diffusion_models).",
  })
  for (const note of found.notes) findings.push({ ok: true, label: "comfyui note", detail: note })
  if (options.model) {
    const listed = found.models.some((m) => m.id === options.model)
    findings.push({
      ok: listed,
      label: "comfyui default model",
      detail: listed ? `${options.model} (listed by ComfyUI)` : `${options.model} is not a model ComfyUI offers`,
      fix: `Set IMAGE_GENERATION_MCP_COMFYUI_MODEL to one of: ${found.models.map((m) => m.id).join(", ") || "(none)"}.`,
    })
  }
  if (options.workflowsDir) {
    const names = found.workflows.map((w) => w.id)
    findings.push({
      ok: true,
      label: "comfyui workflows",
      detail: `${names.length} usable in ${options.workflowsDir}${names.length ? `: ${names.join(", ")}` : ""}`,
    })
    for (const problem of found.workflowProblems) {
      findings.push({
        ok: false,
        label: "comfyui workflow",
        detail: problem,
        fix: `Fix the file (see the README, "Your own ComfyUI workflows") or move it out of ${WORKFLOWS_SETTING}.`,
      })
    }
  }
  return findings
}
