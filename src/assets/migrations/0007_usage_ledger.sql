-- The usage ledger: one row per provider call. Money is integer micro-dollars (USD × 1e6), so sums are exact.
-- A call is inserted 'reserved' (its estimate counts against budgets) and settled when it ends. billing says how its
-- cost_micros was decided: 'charged' (an image came back), 'none' (the provider refused it), 'uncertain' (it ended
-- without an answer and may have been billed). NULL money means the price is unknown. See docs/decisions.md#usage-ledger.
CREATE TABLE usage_ledger (
  call_id TEXT PRIMARY KEY NOT NULL,
  image_id TEXT NOT NULL,
  at REAL NOT NULL,
  subject TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT,
  size TEXT,
  quality TEXT NOT NULL,
  n INTEGER NOT NULL CHECK (n >= 1),
  outcome TEXT NOT NULL CHECK (outcome IN ('reserved', 'completed', 'failed', 'cancelled', 'interrupted')),
  billing TEXT NOT NULL CHECK (billing IN ('pending', 'charged', 'none', 'uncertain')),
  estimate_micros INTEGER CHECK (estimate_micros >= 0),
  cost_micros INTEGER CHECK (cost_micros >= 0),
  settled_at REAL,
  owner_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX usage_ledger_at_idx ON usage_ledger (at);
CREATE INDEX usage_ledger_subject_idx ON usage_ledger (subject, at);
CREATE INDEX usage_ledger_image_idx ON usage_ledger (image_id);
CREATE INDEX usage_ledger_reserved_idx ON usage_ledger (outcome) WHERE outcome = 'reserved';
-- What each UTC day has spent, for everyone (scope 'all', subject '') and per subject: reserved estimates plus
-- settled costs, kept in the same transactions as the ledger rows. A budget check sums at most 31 rows of it
-- instead of a month of calls.
CREATE TABLE usage_days (
  scope TEXT NOT NULL CHECK (scope IN ('all', 'subject')),
  subject TEXT NOT NULL,
  day INTEGER NOT NULL,
  micros INTEGER NOT NULL,
  PRIMARY KEY (scope, subject, day)
) WITHOUT ROWID;
