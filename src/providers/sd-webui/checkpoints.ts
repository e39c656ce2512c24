import { z } from "zod"

/** One entry of `GET /sdapi/v1/sd-models`. */
export interface Checkpoint {
  /** `name [hash]` once the WebUI knows the hash, else `name`; what `sd_model_checkpoint` holds. */
  title: string
  /** The path without extension, `/` turned into `_`: `SDXL_juggernautXL_v9`. */
  modelName: string
  /** The path under the models folder: `SDXL/juggernautXL_v9.safetensors`. */
  name: string
  /** The file name without extension, as `info.sd_model_name` reports it: `juggernautXL_v9`. */
  nameForExtra: string
  /** The 10-character short hash, when known. */
  hash: string | null
  sha256: string | null
}

const Item = z.object({
  title: z.string().min(1),
  model_name: z.string().nullish().catch(null),
  hash: z.string().nullish().catch(null),
  sha256: z.string().nullish().catch(null),
  filename: z.string().nullish().catch(null),
})

const HASH_SUFFIX = / \[[0-9a-f]{8,10}\]$/

const stripExtension = (path: string) => path.replace(/\.[^./\\]+$/, "")
const basename = (path: string) => path.split(/[/\\]/).at(-1) ?? path

/** The checkpoints in a `sd-models` answer (entries without a title are skipped); undefined when it is not a list. */
export function parseCheckpoints(json: unknown): Checkpoint[] | undefined {
  if (!Array.isArray(json)) return undefined
  return json.flatMap((raw) => {
    const item = Item.safeParse(raw)
    if (!item.success) return []
    const { title, model_name, hash, sha256, filename } = item.data
    const name = title.replace(HASH_SUFFIX, "")
    return [
      {
        title,
        modelName: model_name || stripExtension(name).replace(/[/\\]/g, "_"),
        name,
        nameForExtra: stripExtension(basename(filename || name)),
        hash: hash || null,
        sha256: sha256 || null,
      },
    ]
  })
}

/** Every name the WebUI itself accepts for a checkpoint (sd_models.py `checkpoint_aliases`). */
export function aliasesOf(c: Checkpoint): string[] {
  const out = [c.title, c.name, c.modelName, c.nameForExtra]
  if (c.hash) out.push(c.hash, `${c.name} [${c.hash}]`, `${c.nameForExtra} [${c.hash}]`)
  if (c.sha256) out.push(c.sha256)
  return out
}

/**
 * The listed checkpoint a user's name means: any exact alias, else a unique case-insensitive one. The WebUI ignores
 * an override it cannot match exactly, so the title found here is what gets sent.
 */
export function resolveCheckpoint(list: readonly Checkpoint[], wanted: string): Checkpoint | undefined {
  const name = wanted.trim()
  const exact = list.find((c) => aliasesOf(c).includes(name))
  if (exact) return exact
  const lower = name.toLowerCase()
  const loose = list.filter((c) => aliasesOf(c).some((a) => a.toLowerCase() === lower))
  return loose.length === 1 ? loose[0] : undefined
}

/** What `info` says ran. */
export interface Ran {
  sdModelName?: string
  sdModelHash?: string
}

/** Whether `info` shows that `expected` ran; undefined when `info` names no model (SD.Next has no sd_model_name). */
export function ranExpected(expected: Checkpoint, ran: Ran): boolean | undefined {
  if (ran.sdModelName) return ran.sdModelName === expected.nameForExtra
  if (ran.sdModelHash && expected.hash) return ran.sdModelHash === expected.hash
  return undefined
}

/** The listed checkpoint `info` describes: by hash when both are known, else by file name. */
export function checkpointThatRan(list: readonly Checkpoint[], ran: Ran): Checkpoint | undefined {
  const byHash = ran.sdModelHash ? list.filter((c) => c.hash === ran.sdModelHash) : []
  if (byHash.length === 1) return byHash[0]
  const byName = ran.sdModelName ? list.filter((c) => c.nameForExtra === ran.sdModelName) : []
  return byName.length === 1 ? byName[0] : undefined
}
