-- The schema of SQLite migrations 0001–0006 in PostgreSQL types, applied in one transaction under an advisory
-- lock (src/storage/postgres/migrate.ts). Epochs are double precision seconds; JSON stays text, as in SQLite.

-- seq keeps insertion order (the gallery's default order). The search_* columns are written with each row from
-- the prompt's tokens (src/storage/search-tokens.ts): search_text is ' token token … ' for phrase and prefix
-- checks and term counts, search_lexemes the set of tokens for the GIN index, search_length the token count.
CREATE TABLE images (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  image_id text NOT NULL UNIQUE,
  prompt text NOT NULL,
  negative_prompt text,
  provider text NOT NULL,
  aspect_ratio text NOT NULL,
  quality text NOT NULL,
  background text NOT NULL,
  content_type text NOT NULL,
  original_filename text NOT NULL,
  original_size_bytes double precision NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  provider_metadata text NOT NULL DEFAULT '{}',
  created_at text NOT NULL,
  created_epoch double precision NOT NULL,
  source_image_ids text NOT NULL DEFAULT '[]',
  origin text NOT NULL DEFAULT 'generated' CHECK (origin IN ('generated', 'imported')),
  origin_source text,
  search_text text NOT NULL,
  search_lexemes tsvector NOT NULL,
  search_length integer NOT NULL
);
CREATE INDEX images_newest_idx ON images (created_epoch DESC, seq DESC);
CREATE INDEX images_origin_idx ON images (origin, created_epoch DESC, seq DESC);
CREATE INDEX images_provider_idx ON images (provider);
CREATE INDEX images_search_idx ON images USING gin (search_lexemes);

CREATE TABLE jobs (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  job_id text PRIMARY KEY,
  prompt text NOT NULL,
  provider text NOT NULL,
  negative_prompt text,
  aspect_ratio text NOT NULL,
  quality text NOT NULL,
  background text NOT NULL,
  model text,
  status text NOT NULL CHECK (status IN ('generating', 'completed', 'failed', 'cancelled')),
  error text,
  created_epoch double precision NOT NULL,
  completed_epoch double precision,
  progress double precision NOT NULL DEFAULT 0,
  progress_message text NOT NULL DEFAULT '',
  source_image_ids text NOT NULL DEFAULT '[]',
  owner_pid integer NOT NULL,
  owner_started_epoch double precision NOT NULL
);
CREATE INDEX jobs_status_idx ON jobs (status);

CREATE TABLE meta (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE transfer_tokens (
  token_hash text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('download', 'upload')),
  sink_handle text NOT NULL,
  status text NOT NULL CHECK (status IN ('available', 'in_flight', 'consumed')),
  expires_at double precision NOT NULL,
  lease_expires_at double precision,
  fence integer NOT NULL DEFAULT 0,
  created_at double precision NOT NULL
);
CREATE INDEX transfer_tokens_expires_idx ON transfer_tokens (expires_at);

CREATE TABLE http_events (
  session_id text NOT NULL,
  stream_id text NOT NULL,
  event_id bigint NOT NULL,
  created_epoch double precision NOT NULL,
  message text NOT NULL
);
CREATE INDEX http_events_stream_idx ON http_events (session_id, stream_id, event_id);
CREATE INDEX http_events_created_idx ON http_events (created_epoch);

CREATE TABLE oauth_clients (
  client_id text PRIMARY KEY,
  secret_hash text,
  auth_method text NOT NULL CHECK (auth_method IN ('none', 'client_secret_post', 'client_secret_basic')),
  redirect_uris text NOT NULL,
  grant_types text NOT NULL,
  scope text,
  metadata text NOT NULL,
  created_at double precision NOT NULL,
  last_used_at double precision
);
CREATE INDEX oauth_clients_unused_idx ON oauth_clients (created_at) WHERE last_used_at IS NULL;

CREATE TABLE oauth_refresh_tokens (
  token_hash text PRIMARY KEY,
  grant_id text NOT NULL,
  client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  subject text NOT NULL,
  scope text NOT NULL,
  expires_at double precision NOT NULL,
  rotated_at double precision,
  created_at double precision NOT NULL
);
CREATE INDEX oauth_refresh_tokens_grant_idx ON oauth_refresh_tokens (grant_id);
CREATE INDEX oauth_refresh_tokens_client_idx ON oauth_refresh_tokens (client_id);
CREATE INDEX oauth_refresh_tokens_expires_idx ON oauth_refresh_tokens (expires_at);
