import type { LocalPreset, Sampler, Scheduler } from "../local/presets"

/**
 * The WebUIs sharing the `/sdapi/v1` API differ where it matters here:
 * - A1111 ≥ 1.9 and reForge: A1111 sampler and scheduler labels; resize_mode 1 = crop and resize.
 * - Forge: the same, plus `distilled_cfg_scale` for guidance-distilled models (Flux), its options carry `forge_*`.
 * - SD.Next: diffusers samplers ("Default" = the model's own scheduler, an unknown name is a 404), `cfg_scale` is the
 *   pipeline's guidance (so Flux dev takes 3.5 there), resize_mode 2 = crop; its options carry `sd_backend`.
 */
export type Fork = "a1111" | "forge" | "sdnext"

/** The fork, from keys only it has in `GET /sdapi/v1/options`. */
export function detectFork(options: Record<string, unknown>): Fork {
  if ("sd_backend" in options || "diffusers_offload_mode" in options) return "sdnext"
  if ("forge_preset" in options || "forge_additional_modules" in options) return "forge"
  return "a1111"
}

const SAMPLERS: Record<Sampler, string> = {
  euler: "Euler",
  euler_ancestral: "Euler a",
  dpmpp_2m: "DPM++ 2M",
  dpmpp_sde: "DPM++ SDE",
}
const SCHEDULERS: Record<Scheduler, string> = {
  karras: "Karras",
  simple: "Simple",
  sgm_uniform: "SGM Uniform",
  normal: "Normal",
}

/** The sampling fields of a request: sampler, scheduler and guidance, as this fork names them. */
export function samplingFields(fork: Fork, preset: LocalPreset): Record<string, unknown> {
  if (fork === "sdnext") return { sampler_name: "Default", cfg_scale: preset.guidance ?? preset.cfg }
  const fields: Record<string, unknown> = {
    sampler_name: SAMPLERS[preset.sampler],
    scheduler: SCHEDULERS[preset.scheduler],
    cfg_scale: preset.cfg,
  }
  if (preset.guidance !== undefined) fields.distilled_cfg_scale = preset.guidance
  return fields
}

/** The resize_mode that scales a reference to cover the target and crops the centre: never a stretch. */
export function cropResizeMode(fork: Fork): number {
  return fork === "sdnext" ? 2 : 1
}
