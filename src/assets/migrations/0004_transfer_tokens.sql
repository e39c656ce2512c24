-- Capability-link transfer tokens (/transfer/{token}). Only the SHA-256 of a token is stored, never the token.
-- status: available → in_flight (a claim holding a lease until lease_expires_at, identified by fence) →
-- consumed; a failed attempt goes back to available. Rows past expires_at are dead and swept.
CREATE TABLE transfer_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('download', 'upload')),
  sink_handle TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('available', 'in_flight', 'consumed')),
  expires_at REAL NOT NULL,
  lease_expires_at REAL,
  fence INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX transfer_tokens_expires_idx ON transfer_tokens (expires_at);
