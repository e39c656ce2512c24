-- Jobs can be cancelled: SQLite cannot change a CHECK constraint, so the table is rebuilt.
CREATE TABLE jobs_new (
  job_id TEXT PRIMARY KEY NOT NULL,
  prompt TEXT NOT NULL,
  provider TEXT NOT NULL,
  negative_prompt TEXT,
  aspect_ratio TEXT NOT NULL,
  quality TEXT NOT NULL,
  background TEXT NOT NULL,
  model TEXT,
  status TEXT NOT NULL CHECK (status IN ('generating', 'completed', 'failed', 'cancelled')),
  error TEXT,
  created_epoch REAL NOT NULL,
  completed_epoch REAL,
  progress REAL NOT NULL DEFAULT 0,
  progress_message TEXT NOT NULL DEFAULT '',
  source_image_ids TEXT NOT NULL DEFAULT '[]',
  owner_pid INTEGER NOT NULL,
  owner_started_epoch REAL NOT NULL
);
INSERT INTO jobs_new SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_status_idx ON jobs (status);
