import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { createMcpServer } from "@/mcp/server"
import { DEFAULT_GEMINI_MODEL, GEMINI_ASPECT_RATIOS, GEMINI_MODELS } from "@/providers/gemini/models"
import { GEMINI_PROFILES } from "@/providers/gemini/profiles"
import { stageOn } from "@/providers/lifecycle"
import {
  maxEdge,
  LOCAL_ASPECT_RATIOS as SD_ASPECT_RATIOS,
  LOCAL_PRESETS as SD_PRESETS,
} from "@/providers/local/presets"
import { MAX_INPUT_IMAGES, OPENAI_CATALOG } from "@/providers/openai/catalog"
import { OPENAI_PROFILES } from "@/providers/openai/profiles"
import { FREE_SIZE_RATIOS, freeSize } from "@/providers/openai/sizes"
import { samplingFields } from "@/providers/sd-webui/forks"
import { startServices } from "../helpers/services"

/** The Gemini models still served today: the ones the guides describe (retired ones are only refused). */
const GEMINI_SERVED = GEMINI_MODELS.filter((m) => stageOn(m.lifecycle) !== "retired")

let client: Client
let close: () => Promise<void>

beforeAll(async () => {
  const env = await startServices()
  const server = createMcpServer(env.services, { transport: "stdio" })
  client = new Client({ name: "test-client", version: "1.0.0" })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(serverSide), client.connect(clientSide)])
  close = async () => {
    await client.close()
    await server.close()
    await env[Symbol.asyncDispose]()
  }
})

afterAll(() => close())

async function promptText(name: string): Promise<string> {
  const { messages } = await client.getPrompt({ name })
  expect(messages).toHaveLength(1)
  const content = messages[0]?.content
  expect(messages[0]?.role).toBe("user")
  return content?.type === "text" ? content.text : ""
}

async function guideText(): Promise<string> {
  const content = (await client.readResource({ uri: "info://prompt-guide" })).contents[0]
  return content && "text" in content ? content.text : ""
}

const cells = (line: string) =>
  line
    .trim()
    .slice(1, -1)
    .split("|")
    .map((cell) => cell.trim().replaceAll("`", ""))

/** The body rows of the Markdown table whose header starts with `header` cells, as trimmed cells without backticks. */
function tableRows(markdown: string, ...header: string[]): string[][] {
  const lines = markdown.split("\n")
  const start = lines.findIndex((line) => line.startsWith("|") && header.every((h, i) => cells(line)[i] === h))
  expect(start, `table ${header.join(" | ")}`).toBeGreaterThanOrEqual(0)
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break
    rows.push(cells(line))
  }
  return rows
}

/** The items of the numbered list that follows `heading`, without their numbers (which must run 1, 2, 3…). */
function numberedList(markdown: string, heading: string): string[] {
  const section = markdown.slice(markdown.indexOf(heading))
  const items: string[] = []
  for (const [, n, text] of section.matchAll(/^(\d+)\. (.+)$/gm)) {
    if (Number(n) !== items.length + 1) break
    items.push(text as string)
  }
  return items
}

/** The backticked ratios on the line starting with `prefix`. */
function ratiosOnLine(markdown: string, prefix: string): string[] {
  const line = markdown.split("\n").find((l) => l.includes(prefix)) ?? ""
  return [...line.matchAll(/`(\d+:\d+)`/g)].map(([, ratio]) => ratio as string)
}

const expectAll = (text: string, words: readonly string[]) => {
  for (const word of words) expect(text, `missing: ${word}`).toContain(word)
}

const presetRows = () =>
  Object.values(SD_PRESETS).map((p) => {
    const labels = samplingFields("forge", p)
    return [
      p.architecture,
      String(p.steps),
      String(labels.sampler_name),
      String(labels.scheduler),
      String(p.cfg),
      p.guidance === undefined ? "–" : String(p.guidance),
      p.negativePrompt ? "yes" : "no",
      p.promptStyle,
    ]
  })

const sizeRows = () => {
  for (const arch of ["flux_dev", "flux_schnell", "sd3", "sdxl_lightning", "chroma", "flux2", "z_image"] as const) {
    expect(SD_PRESETS[arch].sizes).toEqual(SD_PRESETS.sdxl.sizes)
  }
  const wxh = ([w, h]: readonly [number, number]) => `${w}×${h}`
  return SD_ASPECT_RATIOS.map((r) => [r, wxh(SD_PRESETS.sd15.sizes[r]), wxh(SD_PRESETS.sdxl.sizes[r])])
}

describe("prompts/list", () => {
  test("lists select_provider and sd_prompt_guide with titles, descriptions and icons", async () => {
    const prompts = Object.fromEntries((await client.listPrompts()).prompts.map((p) => [p.name, p]))
    expect(prompts.select_provider).toMatchObject({
      title: "Select Provider",
      icons: [{ src: "https://unpkg.com/lucide-static/icons/route.svg", mimeType: "image/svg+xml" }],
    })
    expect(prompts.sd_prompt_guide).toMatchObject({
      title: "SD Prompt Guide",
      icons: [{ src: "https://unpkg.com/lucide-static/icons/book-open-text.svg", mimeType: "image/svg+xml" }],
    })
    for (const name of ["select_provider", "sd_prompt_guide"]) {
      expect(prompts[name]?.description?.length).toBeGreaterThan(40)
      expect(prompts[name]?.arguments ?? []).toEqual([])
    }
  })
})

describe("select_provider", () => {
  test("covers every provider, auto and the list_providers pointers", async () => {
    const text = await promptText("select_provider")
    expectAll(text, ["openai", "gemini", "sd_webui", "placeholder", '"auto"', "list_providers", "style_profile"])
    expectAll(text, ["warnings", "prompt_style", 'model="<model_id>"', "generate_image", "check_generation_status"])
    expect(text).toContain("`show_image` once")
  })

  test("describes the OpenAI and Gemini lineups with their lifecycles", async () => {
    const text = await promptText("select_provider")
    const aliases = OPENAI_CATALOG.filter((m) => !/-\d{4}-\d{2}-\d{2}$/.test(m.model_id))
    for (const model of aliases) expect(text).toContain(`\`${model.model_id}\``)
    for (const model of GEMINI_SERVED) expect(text).toContain(`\`${model.id}\``)
    expectAll(text, ["default", "transparent", "cheap drafts", "Retired and refused", "2026-05-12", "2026-12-01"])
    expectAll(text, ["text in images", "logos", "typography", "still life", '"Avoid:" clause', "prose"])
    expectAll(text, ["`standard` maps to OpenAI's `medium`, `hd` to `high`", "SynthID", "thinking", "2K", "billed"])
    expectAll(text, ["Up to 14 reference images", "no `4:1`, `1:4`, `8:1` or `1:8`", "`standard` quality only"])
    expect(ratiosOnLine(text, "Takes 14 aspect ratios")).toEqual([...GEMINI_ASPECT_RATIOS])
  })

  test("describes the SD WebUI grammars and the placeholder", async () => {
    const text = await promptText("select_provider")
    expectAll(text, ["photorealism", "portraits", "Native negative prompts, except on Flux", "CLIP tags"])
    expectAll(text, ["Flux", "SD 3 / 3.5", "score_9", "Illustrious-XL", "NoobAI-XL", "Danbooru", "sd_prompt_guide"])
    expectAll(text, ["solid colour", "deterministic"])
  })

  test("gives the nine selection rules in order", async () => {
    const rules = numberedList(await promptText("select_provider"), "## Selection rules")
    expect(rules).toHaveLength(9)
    const expectations: string[][] = [
      ["Text, logos or typography", "`openai`", "`gpt-image-2.6-sunburst`"],
      ["transparent background", "`openai`", "`gpt-image-2.6-sunburst`", "`gpt-image-2.6-flare`", "not `gpt-image-2`"],
      ["Infographics, diagrams and layouts", "`gemini`", 'quality="hd"', "gemini-3-pro-image"],
      ["Complex illustration, storytelling", "`gemini`", 'quality="hd"'],
      [
        "Photorealism, still life and product",
        "`sd_webui`",
        "RealVisXL",
        "Juggernaut",
        "Flux",
        "`gemini`, then `openai`",
      ],
      ["Anime, manga", "`sd_webui`", "Illustrious-XL", "NoobAI-XL", "Pony", "Animagine"],
      ["Quick drafts", "`gemini`", 'quality="standard"', "Lightning", "Schnell"],
      ["Tests", "`placeholder`"],
      ["Anything else", "`gemini`, then `openai`"],
    ]
    for (const [i, words] of expectations.entries()) expectAll(rules[i] ?? "", words)
  })

  test("routes reference-image work", async () => {
    const text = await promptText("select_provider")
    const section = text.slice(text.indexOf("## Working from existing images"))
    expectAll(section, ["transform_image", "fetch_image", "ingest_base64_image", "create_upload_link"])
    expectAll(section, ["`gemini` (up to 14)", `up to ${MAX_INPUT_IMAGES}`, "single reference", "Masked inpainting"])
    expectAll(section, ["`strength`", "default 0.75", "supports_image_input", "max_input_images", "supports_mask"])
    expectAll(section, ["`warnings`"])
  })
})

describe("sd_prompt_guide", () => {
  test("covers the families, CLIP grammar, BREAK, negatives and aspect ratios", async () => {
    const text = await promptText("sd_prompt_guide")
    expectAll(text, ["Flux", "SD 3", "Pony", "Illustrious", "NoobAI", "clip", "natural_language", "BREAK"])
    expectAll(text, ["negative prompt", "Negative prompt template", "77", "75-token", "subject, medium, style"])
    expectAll(text, ["Portrait:", "Landscape:", "Product:", "masterpiece, best quality", "Photoreal checkpoints, add"])
    expectAll(text, ["Anime checkpoints, add", "two CLIP encoders", "T5"])
    for (const ratio of SD_ASPECT_RATIOS) expect(text).toContain(`\`${ratio}\``)
  })

  test("has the family table", async () => {
    const rows = tableRows(await promptText("sd_prompt_guide"), "Family")
    const byFamily = Object.fromEntries(rows.map(([family, ...rest]) => [family, rest]))
    expect(byFamily["SD 1.5, SDXL"]).toEqual(["CLIP (SDXL: two CLIP encoders)", "comma-separated tags", "yes"])
    expect(byFamily["Flux 1 dev, FLUX.2"]?.[2]).toBe("no")
    expect(byFamily["Flux Schnell"]).toEqual(["T5 + CLIP", "prose, 1–4 steps", "no"])
    expect(byFamily["SD 3 / 3.5"]).toEqual(["two CLIP + T5", "prose", "yes"])
    expect(byFamily["Pony Diffusion XL"]?.[1]).toContain("score prefix")
    expect(byFamily["Illustrious-XL, NoobAI-XL"]?.[1]).toBe("Danbooru tags")
  })

  test("details Flux, SD 3, Pony and Illustrious/NoobAI", async () => {
    const text = await promptText("sd_prompt_guide")
    expectAll(text, ["Euler", "Simple scheduler", "CFG 1.0", "distilled CFG of 3.5", "5–10 seconds", "60–120 seconds"])
    expectAll(text, ["No quality tags, no weights, no `BREAK`, and no negative prompt", "FLUX.2"])
    expectAll(text, ["Negative prompts work", "Weight parentheses", "Large Turbo", "about 4 steps"])
    expectAll(text, ["score_9, score_8_up, score_7_up", "source_anime", "rating_safe", "Danbooru", "v-pred"])
  })

  test("its preset and size tables match the provider's presets", async () => {
    const text = await promptText("sd_prompt_guide")
    expect(tableRows(text, "Architecture")).toEqual(presetRows())
    expect(tableRows(text, "Aspect ratio", "SD 1.5")).toEqual(sizeRows())
  })

  test("ends with an SDXL and a Flux example call", async () => {
    const text = await promptText("sd_prompt_guide")
    const calls = [...text.matchAll(/generate_image\(\n[\s\S]*?\n\)/g)].map(([call]) => call)
    expect(calls).toHaveLength(2)
    expectAll(calls[0] ?? "", ["negative_prompt=", 'aspect_ratio="2:3"', 'provider="sd_webui"'])
    expect(calls[1]).toContain('model="flux1-dev-bnb-nf4-v2.safetensors"')
    expect(calls[1]).not.toContain("negative_prompt")
  })
})

describe("info://prompt-guide", () => {
  test("is a static text/markdown resource named prompt_guide", async () => {
    const { resources } = await client.listResources()
    expect(resources.find((r) => r.uri === "info://prompt-guide")).toMatchObject({
      name: "prompt_guide",
      mimeType: "text/markdown",
      icons: [{ src: "https://unpkg.com/lucide-static/icons/book-open-text.svg", mimeType: "image/svg+xml" }],
    })
    const { contents } = await client.readResource({ uri: "info://prompt-guide" })
    expect(contents).toHaveLength(1)
    expect(contents[0]).toMatchObject({ uri: "info://prompt-guide", mimeType: "text/markdown" })
  })

  test("the read_resource bridge returns the same text", async () => {
    const result = await client.callTool({ name: "read_resource", arguments: { uri: "info://prompt-guide" } })
    const content = (result.content as { type: string; text?: string }[])[0]
    expect(content?.text).toBe(await guideText())
  })

  test("contains every term the reference's tests look for", async () => {
    const text = await guideText()
    expectAll(text, ["OpenAI", "Gemini", "SD WebUI", "Placeholder", "CLIP", "negative prompt", "BREAK", "Avoid:"])
    expectAll(text, ["77-token"])
  })

  test("general tips: aspect ratios, quality, negative prompts, transparency", async () => {
    const text = await guideText()
    const tips = text.slice(text.indexOf("## General tips"), text.indexOf("## OpenAI"))
    expectAll(tips, [
      "`16:9` — landscapes, banners",
      "`9:16` — full-height portraits",
      "phone",
      "`3:2` — the classic photo",
    ])
    expectAll(tips, ["`1:1` — icons, avatars", "`standard` is right for drafts", "`high` tier", "2K", "thinking"])
    expectAll(tips, ["SD WebUI and the Placeholder ignore `quality`", "native negative prompt", "`Avoid:`"])
    expectAll(tips, ["**Placeholder**: ignored", "OpenAI 2.5 and 2.6 models (`gpt-image-2.6-sunburst`"])
    expectAll(tips, ["**not** available on `gpt-image-2`", "Gemini and SD WebUI ignore it"])
  })

  test("OpenAI: lineup with the catalog's lifecycles, Avoid clause, quality mapping and sizes", async () => {
    const text = await guideText()
    const rows = tableRows(text, "Model", "Lifecycle", "Notes")
    const served = OPENAI_CATALOG.filter(
      (m) => stageOn(m.lifecycle) !== "retired" && !/-\d{4}-\d{2}-\d{2}$/.test(m.model_id),
    )
    expect(rows.map(([id]) => id).sort()).toEqual(served.map((m) => m.model_id).sort())
    for (const [id = "", lifecycle] of rows) expect(lifecycle).toBe(OPENAI_PROFILES[id]?.lifecycle)
    const retired = OPENAI_CATALOG.filter((m) => stageOn(m.lifecycle) === "retired")
    expect(tableRows(text, "Retired model", "Shut down", "Use instead")).toEqual(
      retired.map((m) => [m.model_id, m.lifecycle?.shutdown ?? "", m.lifecycle?.replacement ?? ""]),
    )
    expectAll(text, ["`standard` → `medium`", "`hd` → `high`", "then `Avoid: <negative_prompt>`", "double quotes"])
    expectAll(text, ["Strengths: text and typography, logos", "still life"])
    const sizes = tableRows(text, "Aspect ratio", "standard", "hd")
    expect(sizes).toEqual(FREE_SIZE_RATIOS.map((r) => [r, freeSize(r, "standard") ?? "", freeSize(r, "hd") ?? ""]))
  })

  test("Gemini: lineup with reference limits, SynthID, quality and the 14 aspect ratios", async () => {
    const text = await guideText()
    const rows = tableRows(text, "Model", "Lifecycle", "Reference images")
    expect(rows.map(([id]) => id).sort()).toEqual(GEMINI_SERVED.map((m) => m.id).sort())
    for (const model of GEMINI_SERVED) {
      const row = rows.find(([id]) => id === model.id)
      expect(row?.[1]).toBe(GEMINI_PROFILES[model.id]?.lifecycle)
      expect(row?.[2]).toBe(String(model.maxInputImages))
    }
    expect(rows.find(([id]) => id === DEFAULT_GEMINI_MODEL)?.[3]).toContain("The default")
    expectAll(text, ["SynthID", "infographics, diagrams", "storytelling", "character consistent across several images"])
    expectAll(text, ["`standard`: a 1K image", "`hd`: a 2K image", "thinking level High", "text plus image"])
    expectAll(text, ["thinking tokens are billed"])
    expect(ratiosOnLine(text, "Aspect ratios (14):")).toEqual([...GEMINI_ASPECT_RATIOS])
    expect(GEMINI_ASPECT_RATIOS).toHaveLength(14)
  })

  test("SD WebUI: grammar, BREAK, CLIP chunks and the model families", async () => {
    const text = await guideText()
    const sd = text.slice(text.indexOf("## SD WebUI"), text.indexOf("## Placeholder"))
    expectAll(sd, ["check `prompt_style` first", "`subject, medium, style, lighting, camera, quality tags`"])
    expectAll(sd, ["Portrait:", "Landscape:", "Product:", "Quality tags go last", "Negative prompt template"])
    expectAll(sd, ["Add for photoreal checkpoints", "Add for anime checkpoints", "`BREAK`", "75-token chunks"])
    expectAll(sd, ["two text encoders", "T5", "no negative prompt", "1–4 steps", "FLUX.2", "SD 3 / 3.5"])
    expectAll(sd, [
      "Negative prompts work",
      "Turbo is distilled for about 4 steps",
      "score_9, score_8_up",
      "`source_`",
      "`rating_`",
    ])
    expectAll(sd, ["Danbooru", "v-prediction (v-pred)"])
  })

  test("SD WebUI: preset, size and advice numbers come from the provider's presets", async () => {
    const text = await guideText()
    expect(tableRows(text, "Architecture")).toEqual(presetRows())
    expect(tableRows(text, "Aspect ratio", "SD 1.5")).toEqual(sizeRows())
    const advice = text.slice(text.indexOf("### Model advice"), text.indexOf("### CLIP tag prompts"))
    for (const preset of Object.values(SD_PRESETS)) {
      const line = advice.split("\n").find((l) => l.includes(`(\`${preset.architecture}\`)`)) ?? ""
      expectAll(line, [`up to ${maxEdge(preset)} px`, `${preset.steps} steps`, `CFG ${preset.cfg}`])
      if (preset.guidance) expect(line).toContain(`distilled CFG ${preset.guidance}`)
    }
  })

  test("Placeholder, reference images, imports and generation follow-up", async () => {
    const text = await guideText()
    expectAll(text, ["SHA-256", "6-colour palette", "alpha is 0", "same prompt always gives the same colour"])
    const refs = text.slice(text.indexOf("## Reference images and transform_image"))
    const providers = tableRows(refs, "Provider", "Models")
    expect(providers.find(([p, m]) => p === "openai" && m === "GPT Image models")?.[2]).toBe(
      `up to ${MAX_INPUT_IMAGES}`,
    )
    expect(providers.find(([p]) => p === "sd_webui")?.slice(2, 4)).toEqual(["exactly 1", "no"])
    const gemini = Math.max(...GEMINI_SERVED.map((m) => m.maxInputImages))
    expect(providers.find(([p, m]) => p === "gemini" && m === "every Gemini model")?.[2]).toBe(`up to ${gemini}`)
    expectAll(refs, [
      "**Masks** work on OpenAI GPT Image models and ComfyUI checkpoints",
      "default 0.75",
      "Without it the server uses 0.75",
    ])
    expectAll(refs, [
      "fetch_image(url)",
      "ingest_base64_image(data)",
      "create_upload_link",
      "cancel_generation(image_id)",
    ])
    expectAll(refs, ["check_generation_status(image_id)", "call `show_image` once", "progress notifications"])
  })

  test("provider selection: the same nine rules as select_provider and the warnings pointer", async () => {
    const text = await guideText()
    const rules = numberedList(text, "## Provider selection")
    expect(rules).toHaveLength(9)
    expect(rules).toEqual(numberedList(await promptText("select_provider"), "## Selection rules"))
    const section = text.slice(text.indexOf("## Provider selection"))
    expectAll(section, ['`provider="auto"`', "`warnings` array of `list_providers`", "deprecated"])
  })
})
