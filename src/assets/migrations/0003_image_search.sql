-- Gallery search: an FTS5 index over prompts, kept in sync by triggers.
-- The index is keyed by rowid, and VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY,
-- which would silently detach the index, so images is rebuilt with one (`seq`, the old rowid, kept last so
-- the other columns keep their positions). Rows, their order and the indexes stay as they were.
CREATE TABLE images_new (
  image_id TEXT NOT NULL UNIQUE,
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
  origin_source TEXT,
  seq INTEGER PRIMARY KEY
);
INSERT INTO images_new (
  image_id, prompt, negative_prompt, provider, aspect_ratio, quality, background, content_type, original_filename,
  original_size_bytes, width, height, provider_metadata, created_at, created_epoch, source_image_ids, origin,
  origin_source, seq
)
SELECT
  image_id, prompt, negative_prompt, provider, aspect_ratio, quality, background, content_type, original_filename,
  original_size_bytes, width, height, provider_metadata, created_at, created_epoch, source_image_ids, origin,
  origin_source, rowid
FROM images;
DROP TABLE images;
ALTER TABLE images_new RENAME TO images;
CREATE INDEX images_created_epoch_idx ON images (created_epoch);
CREATE INDEX images_origin_idx ON images (origin);

-- External content: the prompts are stored once, in images. remove_diacritics 2: "cafe" finds "café".
CREATE VIRTUAL TABLE images_fts USING fts5(
  prompt,
  content = 'images',
  content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO images_fts (images_fts) VALUES ('rebuild');

CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
  INSERT INTO images_fts (rowid, prompt) VALUES (new.seq, new.prompt);
END;
CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
  INSERT INTO images_fts (images_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
END;
CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, seq ON images BEGIN
  INSERT INTO images_fts (images_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
  INSERT INTO images_fts (rowid, prompt) VALUES (new.seq, new.prompt);
END;
