// OpenAI bills live previews: each partial image is 100 more image output tokens ($0.003 on gpt-image-2). The
// ledger adds the ones asked for to the estimate and charges the ones that came.
import { describe, expect, test } from "bun:test"
import { fakeOpenAI } from "../fixture/fake-openai"
import { connect } from "../helpers/mcp"

const P = "IMAGE_GENERATION_MCP_"
const env = (url: string, extra: Record<string, string> = {}) => ({
  [`${P}OPENAI_API_KEY`]: "sk-test",
  [`${P}OPENAI_BASE_URL`]: url,
  [`${P}PAID_PROVIDERS`]: "",
  ...extra,
})
const args = { prompt: "a lighthouse", provider: "openai", model: "gpt-image-2", aspect_ratio: "1:1" }

/** Generates one medium 1024² image and returns its ledger row. */
async function ledgerRow(openaiUrl: string, extra: Record<string, string> = {}) {
  await using mcp = await connect({ env: env(openaiUrl, extra) })
  const { image_id } = JSON.parse(mcp.text(await mcp.call("generate_image", args)))
  await mcp.services.jobs.idle()
  const row = await mcp.services.usage?.forImage(image_id)
  const metadata = JSON.parse(await mcp.readText(`image://${image_id}/metadata`))
  return { row, metadata }
}

describe("the ledger prices OpenAI's partial images", () => {
  test("previews on: $0.053 for the image plus two partial images at $0.003; off: $0.053", async () => {
    await using openai = fakeOpenAI()
    const on = await ledgerRow(openai.url)
    expect(on.row).toMatchObject({ size: "1024x1024", quality: "standard", n: 1, outcome: "completed" })
    expect(on.row).toMatchObject({ estimateMicros: 59_000, costMicros: 59_000 })
    expect(JSON.stringify(on.metadata)).toContain('"partial_images":2')
    const off = await ledgerRow(openai.url, { [`${P}LIVE_PREVIEWS`]: "false" })
    expect(off.row).toMatchObject({ estimateMicros: 53_000, costMicros: 53_000 })
    const streamed = openai.requests.filter((r) => (r.json as { stream?: boolean } | undefined)?.stream === true)
    expect(streamed).toHaveLength(1)
  })

  test("a final image done before its second partial: charged for the one partial image that came", async () => {
    await using openai = fakeOpenAI()
    openai.set({ partialsBeforeFinal: 1 })
    const { row } = await ledgerRow(openai.url)
    expect(row).toMatchObject({ estimateMicros: 59_000, costMicros: 56_000, billing: "charged" })
  })

  test("several images in one request ask for no partial images and pay for none", async () => {
    await using openai = fakeOpenAI()
    await using mcp = await connect({ env: env(openai.url) })
    const { image_id } = JSON.parse(mcp.text(await mcp.call("generate_image", { ...args, n: 2 })))
    await mcp.services.jobs.idle()
    expect(await mcp.services.usage?.forImage(image_id)).toMatchObject({ n: 2, estimateMicros: 106_000 })
  })
})
