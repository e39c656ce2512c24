// `npm run test:live` against the fakes: the script a user with keys runs must itself work, find the configured
// providers from the same settings as the server, and report a failing one without hiding the others.
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { startFakeGemini } from "../fixture/fake-gemini"
import { fakeOpenAI } from "../fixture/fake-openai"
import { closedPortUrl, fakeSdWebui } from "../fixture/fake-sd-webui"

const SCRIPT = join(import.meta.dir, "..", "..", "scripts", "test-live.ts")
const P = "IMAGE_GENERATION_MCP_"

/** The environment without any provider setting the machine running the tests may have. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith(P) && value) env[key] = value
  return { ...env, ...extra }
}

async function runLive(env: Record<string, string>, args: string[] = []) {
  const proc = Bun.spawn([process.execPath, SCRIPT, ...args], { env, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}

describe("npm run test:live", () => {
  test("with no real provider configured it says what to set and exits 2", async () => {
    const { stderr, code } = await runLive(cleanEnv({}))
    expect(code).toBe(2)
    expect(stderr).toContain("No real provider is configured")
    expect(stderr).toContain("IMAGE_GENERATION_MCP_OPENAI_API_KEY")
  })

  test("one image from each configured provider, through the server over stdio", async () => {
    await using openai = fakeOpenAI()
    await using gemini = startFakeGemini()
    await using sd = fakeSdWebui()
    const { stdout, stderr, code } = await runLive(
      cleanEnv({
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}GOOGLE_API_KEY`]: "g-test",
        [`${P}GEMINI_BASE_URL`]: gemini.url,
        [`${P}SD_WEBUI_HOST`]: sd.url,
      }),
    )
    expect(stderr).toContain("openai, gemini, sd_webui")
    for (const name of ["openai", "gemini", "sd_webui"])
      expect(stdout).toMatch(new RegExp(`^ok +${name} +\\d+x\\d+ `, "m"))
    expect(stdout.trim().split("\n").at(-1)).toBe("3 passed, 0 failed")
    expect(code).toBe(0)
    expect(openai.requests.some((r) => r.path === "/v1/images/generations")).toBe(true)
    expect(stderr).not.toContain("sk-test")
  })

  test("--provider picks some; an unreachable one fails on its own line and the exit status is 1", async () => {
    await using openai = fakeOpenAI()
    const { stdout, code } = await runLive(
      cleanEnv({
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}SD_WEBUI_HOST`]: await closedPortUrl(),
        [`${P}GOOGLE_API_KEY`]: "g-test",
      }),
      ["--provider", "openai,sd_webui"],
    )
    expect(stdout).toMatch(/^ok +openai /m)
    expect(stdout).toMatch(/^FAIL +sd_webui +.+/m)
    expect(stdout).not.toContain("gemini")
    expect(stdout.trim().split("\n").at(-1)).toBe("1 passed, 1 failed")
    expect(code).toBe(1)
  })
})
