import { expect, test } from "bun:test"
import { join } from "node:path"
import { startFakeGemini } from "../fixture/fake-gemini"
import { fakeOpenAI } from "../fixture/fake-openai"
import { tmpdir } from "../fixture/tmpdir"

const PROBE = join(import.meta.dir, "..", "fixture", "lazy-probe.ts")

async function probe(dir: string, env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, PROBE], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      IMAGE_GENERATION_MCP_DB_PATH: join(dir, "state.sqlite"),
      IMAGE_GENERATION_MCP_SCRATCH_DIR: join(dir, "images"),
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
  expect(code).toBe(0)
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}")
}

test("without keys, neither cloud SDK is ever imported", async () => {
  await using dir = await tmpdir()
  expect(await probe(dir.path)).toEqual({ status: "completed", openai: false, genai: false })
})

test("configured cloud providers import their SDKs for discovery, which lists their models", async () => {
  await using dir = await tmpdir()
  await using openai = fakeOpenAI()
  await using gemini = startFakeGemini()
  const result = await probe(dir.path, {
    IMAGE_GENERATION_MCP_GOOGLE_API_KEY: "g-test",
    IMAGE_GENERATION_MCP_GEMINI_BASE_URL: gemini.url,
    IMAGE_GENERATION_MCP_OPENAI_API_KEY: "sk-test",
    IMAGE_GENERATION_MCP_OPENAI_BASE_URL: openai.url,
  })
  // Both discover through their SDK's models list (OpenAI /v1/models, Gemini models.list).
  expect(result).toEqual({ status: "completed", openai: true, genai: true })
  expect(gemini.calls.map((c) => c.path)).toEqual(["/v1beta/models"])
})
