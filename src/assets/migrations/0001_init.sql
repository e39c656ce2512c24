CREATE TABLE images (
  image_id TEXT PRIMARY KEY NOT NULL,
  prompt TEXT NOT NULL,
  negative_prompt TEXT,
  provider TEXT NOT NULL,
  aspect_ratio TEXT NOT NULL,
  quality TEXT NOT NULL,
  background TEXT NOT NULL,
  content_type TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  original_size_bytes INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  provider_metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  created_epoch REAL NOT NULL,
  source_image_ids TEXT NOT NULL DEFAULT '[]',
  origin TEXT NOT NULL DEFAULT 'generated' CHECK (origin IN ('generated', 'imported')),
  origin_source TEXT
);
CREATE INDEX images_created_epoch_idx ON images (created_epoch);
CREATE INDEX images_origin_idx ON images (origin);

CREATE TABLE jobs (
  job_id TEXT PRIMARY KEY NOT NULL,
  prompt TEXT NOT NULL,
  provider TEXT NOT NULL,
  negative_prompt TEXT,
  aspect_ratio TEXT NOT NULL,
  quality TEXT NOT NULL,
  background TEXT NOT NULL,
  model TEXT,
  status TEXT NOT NULL CHECK (status IN ('generating', 'completed', 'failed')),
  error TEXT,
  created_epoch REAL NOT NULL,
  completed_epoch REAL,
  progress REAL NOT NULL DEFAULT 0,
  progress_message TEXT NOT NULL DEFAULT '',
  source_image_ids TEXT NOT NULL DEFAULT '[]',
  owner_pid INTEGER NOT NULL,
  owner_started_epoch REAL NOT NULL
);
CREATE INDEX jobs_status_idx ON jobs (status);

CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
