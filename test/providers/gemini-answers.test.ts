// What the provider makes of generateContent answers: thoughts, text instead of an image, finish and block reasons.
import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { BlockedReason, FinishReason } from "@google/genai/web"
import { ContentPolicyError, ProviderError } from "@/providers/errors"
import { drawnSize, fakeModel, startFakeGemini } from "../fixture/fake-gemini"
import { failure, geminiOn, request, signal, sizeOf } from "./gemini-helpers"

const fake = startFakeGemini()
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())
const gemini = geminiOn(fake)
const model = fakeModel("gemini-nano-banana-2.1") ?? expect.unreachable()

/** Finish reasons under which Google withheld the answer on policy grounds. */
const POLICY = [
  "SAFETY",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "ESCALATION",
  "MODEL_ARMOR",
]

describe("gemini answers", () => {
  test("interim images marked as thoughts are never the result: the last non-thought image is", async () => {
    fake.set({ thoughts: true })
    const result = await gemini().generate(request({ aspectRatio: "16:9", quality: "hd" }), { signal })
    expect(await sizeOf(result.data)).toEqual(drawnSize(model, "16:9", "2K"))
    fake.set({ thoughts: true, text: "Here is your lighthouse.", leadText: true })
    const withText = await gemini().generate(request(), { signal })
    expect(await sizeOf(withText.data)).toEqual(drawnSize(model, "1:1", "1K"))
  })

  test("the fake really sends thought parts, with signatures on the final parts only", async () => {
    fake.set({ thoughts: true, text: "Done.", leadText: true })
    const res = await fetch(`${fake.url}/v1beta/models/${model.id}:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
    })
    const body = (await res.json()) as { candidates: { content: { parts: Record<string, unknown>[] } }[] }
    const parts = body.candidates[0]?.content.parts ?? []
    expect(parts.map((p) => [Object.keys(p).sort().join(","), p.thought ?? false])).toEqual([
      ["text,thought", true],
      ["inlineData,thought", true],
      ["text,thoughtSignature", false],
      ["inlineData,thoughtSignature", false],
    ])
  })

  test("text instead of an image: the user reads what the model said", async () => {
    fake.set({ text: "I can't draw that, but here is a description: a white tower on black rocks." })
    const error = await failure(gemini().generate(request(), { signal }))
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).not.toBeInstanceOf(ContentPolicyError)
    expect((error as ProviderError).code).toBe("gemini_text_only")
    expect((error as Error).message).toBe(
      `[gemini] Gemini answered with text instead of an image: "I can't draw that, but here is a description: a white tower on black rocks." Ask explicitly for a picture, or act on what it says.`,
    )
  })

  test("a long text answer is quoted on one line, trimmed to 400 characters", async () => {
    fake.set({ text: `${"word ".repeat(50)}\n\n${"x".repeat(1000)}` })
    const message = ((await failure(gemini().generate(request(), { signal }))) as Error).message
    const said = message.slice(message.indexOf('"') + 1, message.lastIndexOf('"'))
    expect(said).toHaveLength(400)
    expect(said).toEndWith("…")
    expect(said).not.toContain("\n")
  })

  test("STOP with neither image nor text is an error that says so", async () => {
    fake.set({ finishReason: "STOP" })
    const error = await failure(gemini().generate(request(), { signal }))
    expect((error as Error).message).toBe(
      "[gemini] The model finished without drawing an image. Ask explicitly for a picture. Try again, or rephrase the prompt. (finish reason STOP)",
    )
  })

  const reasons = Object.values(FinishReason).filter((r) => r !== "STOP")
  test.each(reasons)("finish reason %s without an image has its own message and kind", async (reason) => {
    fake.set({ finishReason: reason })
    const error = (await failure(gemini().generate(request(), { signal }))) as ProviderError
    expect(error).toBeInstanceOf(ProviderError)
    expect(error.message).toEndWith(`(finish reason ${reason})`)
    expect(error.message).not.toContain("undefined")
    const kind = POLICY.includes(reason)
      ? "content_policy"
      : reason === "PUP_LIMITED_DISABLED"
        ? "forbidden"
        : "upstream_refused"
    expect(error.kind).toBe(kind)
    expect(error instanceof ContentPolicyError).toBe(kind === "content_policy")
  })

  test.each([
    [
      "NO_IMAGE",
      "The model was expected to draw an image but did not. Describe the picture more concretely, or try again.",
    ],
    [
      "IMAGE_OTHER",
      "Image generation stopped for a reason Google does not specify. Try again, or rephrase the prompt.",
    ],
    [
      "MAX_TOKENS",
      "The answer reached the model's output token limit before an image was drawn. Shorten the prompt or use quality 'standard' (less thinking), then try again.",
    ],
    [
      "RECITATION",
      "The answer was stopped because it may recite existing material. Ask for an original image instead of a copy of an existing work.",
    ],
    [
      "IMAGE_RECITATION",
      "The image was withheld because it may reproduce an existing work. Ask for an original image rather than a copy.",
    ],
    ["OTHER", "The model stopped for a reason Google does not specify. Try again, or rephrase the prompt."],
  ])("%s says what happened and what to try", async (reason, why) => {
    fake.set({ finishReason: reason })
    const error = (await failure(gemini().generate(request(), { signal }))) as ProviderError
    expect(error.message).toBe(`[gemini] ${why} (finish reason ${reason})`)
    expect(error.code).toBe(`gemini_${reason.toLowerCase()}`)
  })

  test("a finish reason with text quotes the text too", async () => {
    fake.set({ finishReason: "IMAGE_SAFETY", text: "I cannot create images of real people." })
    const error = await failure(gemini().generate(request(), { signal }))
    expect(error).toBeInstanceOf(ContentPolicyError)
    expect((error as Error).message).toEndWith(
      `(finish reason IMAGE_SAFETY) The model said: "I cannot create images of real people."`,
    )
  })

  test.each(Object.values(BlockedReason))(
    "a prompt blocked for %s (no candidates) is a content-policy error naming it",
    async (reason) => {
      fake.set({ blockReason: reason })
      const error = await failure(gemini().generate(request(), { signal }))
      expect(error).toBeInstanceOf(ContentPolicyError)
      expect((error as Error).message).toEndWith(`(block reason ${reason})`)
      expect((error as Error).message).toStartWith("[gemini] The prompt ")
    },
  )
})
