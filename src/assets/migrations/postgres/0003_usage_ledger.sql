-- The usage ledger (as SQLite migration 0007): one row per provider call, money in integer micro-dollars. A call
-- is inserted 'reserved' and settled when it ends; it belongs to its job (image_id), and owner_id names the server
-- that reserved it. See docs/decisions.md#usage-ledger.
CREATE TABLE usage_ledger (
  call_id text PRIMARY KEY,
  image_id text NOT NULL,
  at double precision NOT NULL,
  subject text NOT NULL,
  provider text NOT NULL,
  model text,
  size text,
  quality text NOT NULL,
  n integer NOT NULL CHECK (n >= 1),
  outcome text NOT NULL CHECK (outcome IN ('reserved', 'completed', 'failed', 'cancelled', 'interrupted')),
  billing text NOT NULL CHECK (billing IN ('pending', 'charged', 'none', 'uncertain')),
  estimate_micros bigint CHECK (estimate_micros >= 0),
  cost_micros bigint CHECK (cost_micros >= 0),
  settled_at double precision,
  owner_id text NOT NULL
);
CREATE INDEX usage_ledger_at_idx ON usage_ledger (at);
CREATE INDEX usage_ledger_subject_idx ON usage_ledger (subject, at);
CREATE INDEX usage_ledger_image_idx ON usage_ledger (image_id);
CREATE INDEX usage_ledger_reserved_idx ON usage_ledger (at) WHERE outcome = 'reserved';
-- What each UTC day (days since the epoch) has spent, for everyone (scope 'all', subject '') and per subject.
CREATE TABLE usage_days (
  scope text NOT NULL CHECK (scope IN ('all', 'subject')),
  subject text NOT NULL,
  day integer NOT NULL,
  micros bigint NOT NULL,
  PRIMARY KEY (scope, subject, day)
);
