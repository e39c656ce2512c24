import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { fakeOpenAI } from "../fixture/fake-openai"
import { closedPortUrl, fakeSdWebui } from "../fixture/fake-sd-webui"
import { tmpdir } from "../fixture/tmpdir"
import { runCli } from "../helpers/cli"
import { startS3 } from "../helpers/s3"

const env = (dir: string, extra: Record<string, string> = {}) => ({
  HOME: dir,
  IMAGE_GENERATION_MCP_DB_PATH: join(dir, "state.sqlite"),
  ...extra,
})

describe("doctor", () => {
  test("a working setup passes, with secrets masked", async () => {
    await using dir = await tmpdir()
    await using openai = fakeOpenAI({ apiKey: "sk-test-abcdef123456" })
    await using sd = fakeSdWebui()
    const { code, stdout } = await runCli(
      ["doctor"],
      env(dir.path, {
        IMAGE_GENERATION_MCP_OPENAI_API_KEY: "sk-test-abcdef123456",
        IMAGE_GENERATION_MCP_OPENAI_BASE_URL: openai.url,
        IMAGE_GENERATION_MCP_SD_WEBUI_HOST: sd.url,
      }),
    )
    expect(code).toBe(0)
    expect(stdout).toContain("Everything looks fine.")
    expect(stdout).toMatch(/ok +provider openai +reachable; models: gpt-image-2-2026-04-21, /)
    expect(stdout).toMatch(/ok +openai default model +gpt-image-2\.6-sunburst \(listed by the service\)/)
    expect(stdout).toMatch(/ok +provider sd_webui +reachable; models: /)
    expect(stdout).toMatch(/ok +scratch dir/)
    expect(stdout).toContain("openai api key")
    expect(stdout).not.toContain("sk-test-abcdef123456")
  })

  test("an OpenAI default model the service does not list fails, naming the listed ones", async () => {
    await using dir = await tmpdir()
    await using openai = fakeOpenAI({ apiKey: "sk-test-abcdef123456" })
    openai.set({ models: ["gpt-image-2", "gpt-image-2.6-flare"] })
    const { code, stdout } = await runCli(
      ["doctor"],
      env(dir.path, {
        IMAGE_GENERATION_MCP_OPENAI_API_KEY: "sk-test-abcdef123456",
        IMAGE_GENERATION_MCP_OPENAI_BASE_URL: openai.url,
        IMAGE_GENERATION_MCP_OPENAI_MODEL: "gpt-image-1.5",
      }),
    )
    expect(code).toBe(1)
    expect(stdout).toMatch(
      /FAIL +openai default model +'gpt-image-1\.5' is not listed by the OpenAI API for this key\./,
    )
    expect(stdout).toContain("Listed image models: gpt-image-2, gpt-image-2.6-flare.")
    expect(stdout).toContain("fix: Set IMAGE_GENERATION_MCP_OPENAI_MODEL to one of the listed models.")
  })

  test("an unreachable provider fails with the fix on one line", async () => {
    await using dir = await tmpdir()
    const { code, stdout } = await runCli(
      ["doctor"],
      env(dir.path, { IMAGE_GENERATION_MCP_SD_WEBUI_HOST: await closedPortUrl() }),
    )
    expect(code).toBe(1)
    expect(stdout).toMatch(/FAIL +provider sd_webui +not reachable/)
    expect(stdout).toContain("fix: Start SD WebUI with --api, or fix IMAGE_GENERATION_MCP_SD_WEBUI_HOST.")
    expect(stdout).toContain("1 problem(s) found.")
  })

  test("a scratch dir that cannot be written is reported", async () => {
    await using dir = await tmpdir()
    const blocker = join(dir.path, "file")
    await Bun.write(blocker, "not a directory")
    const { code, stdout } = await runCli(
      ["doctor"],
      env(dir.path, { IMAGE_GENERATION_MCP_SCRATCH_DIR: join(blocker, "images") }),
    )
    expect(code).toBe(1)
    expect(stdout).toMatch(/FAIL +scratch dir/)
    expect(stdout).toContain(
      "fix: Fix the directory's permissions or set IMAGE_GENERATION_MCP_SCRATCH_DIR to a writable directory.",
    )
  })

  test("a corrupt database is reported", async () => {
    await using dir = await tmpdir()
    await Bun.write(join(dir.path, "state.sqlite"), "this is not a database at all, just text ".repeat(200))
    const { code, stdout } = await runCli(["doctor"], env(dir.path))
    expect(code).toBe(1)
    expect(stdout).toMatch(/FAIL +database/)
    expect(stdout).toContain("fix: ")
  })

  test("names the drivers: SQLite and files by default; S3 with its bucket, reachable and then unreachable", async () => {
    await using dir = await tmpdir()
    const plain = await runCli(["doctor"], env(dir.path))
    expect(plain.stdout).toMatch(/database +.*state\.sqlite \(SQLite\)/)
    expect(plain.stdout).toMatch(/image store +files in the scratch dir/)
    expect(plain.stdout).toMatch(/ok +database +SQLite /)

    await using s3 = await startS3(join(dir.path, "s3"))
    const s3env = env(dir.path, { ...s3.env, IMAGE_GENERATION_MCP_BLOB_STORE_URL: "s3://images/gallery" })
    const host = new URL(s3.endpoint).host
    const up = await runCli(["doctor"], s3env)
    expect(up.code).toBe(0)
    expect(up.stdout).toContain(
      `image store            S3 s3://images/gallery at ${host} (written, read and removed a probe object)`,
    )
    expect(up.stdout).toMatch(/ok +database +SQLite /)
    // The probe object is gone again.
    expect(
      await new Bun.S3Client({ ...s3Client(s3.env), bucket: "images" }).list({ prefix: "gallery/" }),
    ).toMatchObject({
      keyCount: 0,
    })

    await s3.stop()
    const down = await runCli(["doctor"], s3env)
    expect(down.code).toBe(1)
    expect(down.stdout).toContain(
      `FAIL  image store            S3 s3://images/gallery at ${host}: [storage] S3 at ${host} cannot be reached (ConnectionRefused)`,
    )
    expect(down.stdout).toContain("fix: Check IMAGE_GENERATION_MCP_BLOB_STORE_URL and the bucket's credentials")
    expect(down.stdout).not.toContain(s3.env.S3_SECRET_ACCESS_KEY as string)
  })
})

function s3Client(env: Record<string, string>) {
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  }
}
