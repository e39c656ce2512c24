// The single place that embeds static files, so `bun run` and the compiled binary read the same bytes.
import init0001 from "./migrations/0001_init.sql" with { type: "text" }
import jobCancelled0002 from "./migrations/0002_job_cancelled.sql" with { type: "text" }
import imageSearch0003 from "./migrations/0003_image_search.sql" with { type: "text" }
import transferTokens0004 from "./migrations/0004_transfer_tokens.sql" with { type: "text" }
import httpEvents0005 from "./migrations/0005_http_events.sql" with { type: "text" }
import oauthProxy0006 from "./migrations/0006_oauth_proxy.sql" with { type: "text" }
import usageLedger0007 from "./migrations/0007_usage_ledger.sql" with { type: "text" }
import iteration0008 from "./migrations/0008_iteration.sql" with { type: "text" }
import jobLeases0009 from "./migrations/0009_job_leases.sql" with { type: "text" }
import pgSchema0001 from "./migrations/postgres/0001_schema.sql" with { type: "text" }
import pgJobLeases0002 from "./migrations/postgres/0002_job_leases.sql" with { type: "text" }
import pgUsageLedger0003 from "./migrations/postgres/0003_usage_ledger.sql" with { type: "text" }
import pgIteration0004 from "./migrations/postgres/0004_iteration.sql" with { type: "text" }
// Imported, then exported: Bun 1.4 ignores the text attribute on `export … from "*.md"` and renders Markdown to HTML.
import promptGuide from "./prompt-guide.md" with { type: "text" }
// Built by scripts/build-widgets.ts from src/widgets/ (generated, gitignored).
import gallery from "./widgets/gallery.html" with { type: "text" }
import viewer from "./widgets/viewer.html" with { type: "text" }

/** Append-only SQLite schema migrations, applied in order; the index + 1 is the schema version. */
export const MIGRATIONS: readonly string[] = [
  init0001,
  jobCancelled0002,
  imageSearch0003,
  transferTokens0004,
  httpEvents0005,
  oauthProxy0006,
  usageLedger0007,
  iteration0008,
  jobLeases0009,
]

/** Append-only PostgreSQL schema migrations, applied in order; the index + 1 is the schema version. */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  pgSchema0001,
  pgJobLeases0002,
  pgUsageLedger0003,
  pgIteration0004,
]

/** The Markdown served as info://prompt-guide. */
export const PROMPT_GUIDE: string = promptGuide

/** The MCP Apps widgets, each one self-contained HTML file. */
export const WIDGET_HTML: { readonly viewer: string; readonly gallery: string } = {
  // bun-types types every .html import as an HTMLBundle; with `type: "text"` it is the file's text.
  viewer: viewer as unknown as string,
  gallery: gallery as unknown as string,
}
