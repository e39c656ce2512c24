-- Server-sent events kept so a Streamable HTTP client can resume a dropped stream (Last-Event-ID).
-- event_id is chosen by the process that owns the session (microseconds, strictly increasing), so rows are
-- written in batches without a round trip; session ids are random, so processes sharing the file never clash.
-- message comes last so scans of the other columns never read its overflow pages (image results are large).
CREATE TABLE IF NOT EXISTS http_events (
  session_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  created_epoch REAL NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS http_events_stream_idx ON http_events (session_id, stream_id, event_id);
