-- State of the oidc-proxy auth mode: clients registered through /register (RFC 7591) and the refresh tokens
-- issued to them. A client secret and a refresh token's id are stored only as SHA-256 digests.
-- last_used_at is set when a client first gets tokens; registrations never used are pruned.
CREATE TABLE oauth_clients (
  client_id TEXT PRIMARY KEY NOT NULL,
  secret_hash TEXT,
  auth_method TEXT NOT NULL CHECK (auth_method IN ('none', 'client_secret_post', 'client_secret_basic')),
  redirect_uris TEXT NOT NULL,
  grant_types TEXT NOT NULL,
  scope TEXT,
  metadata TEXT NOT NULL,
  created_at REAL NOT NULL,
  last_used_at REAL
) WITHOUT ROWID;
CREATE INDEX oauth_clients_unused_idx ON oauth_clients (created_at) WHERE last_used_at IS NULL;
-- grant_id is shared by every refresh token of one sign-in (rotation replaces a token within its grant);
-- rotated_at marks a token already exchanged: presenting it again revokes the whole grant.
CREATE TABLE oauth_refresh_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  scope TEXT NOT NULL,
  expires_at REAL NOT NULL,
  rotated_at REAL,
  created_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX oauth_refresh_tokens_grant_idx ON oauth_refresh_tokens (grant_id);
CREATE INDEX oauth_refresh_tokens_client_idx ON oauth_refresh_tokens (client_id);
CREATE INDEX oauth_refresh_tokens_expires_idx ON oauth_refresh_tokens (expires_at);
