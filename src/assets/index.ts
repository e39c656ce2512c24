// The single place that embeds static files, so `bun run` and the compiled binary read the same bytes.
import init0001 from "./migrations/0001_init.sql" with { type: "text" }
import jobCancelled0002 from "./migrations/0002_job_cancelled.sql" with { type: "text" }
import imageSearch0003 from "./migrations/0003_image_search.sql" with { type: "text" }
import transferTokens0004 from "./migrations/0004_transfer_tokens.sql" with { type: "text" }
import httpEvents0005 from "./migrations/0005_http_events.sql" with { type: "text" }
import oauthProxy0006 from "./migrations/0006_oauth_proxy.sql" with { type: "text" }
// Imported, then exported: Bun 1.4 ignores the text attribute on `export … from "*.md"` and renders Markdown to HTML.
import promptGuide from "./prompt-guide.md" with { type: "text" }

/** Append-only schema migrations, applied in order; the index + 1 is the schema version. */
export const MIGRATIONS: readonly string[] = [
  init0001,
  jobCancelled0002,
  imageSearch0003,
  transferTokens0004,
  httpEvents0005,
  oauthProxy0006,
]

/** The Markdown served as info://prompt-guide. */
export const PROMPT_GUIDE: string = promptGuide
