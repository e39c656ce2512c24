-- Iteration (seeds, batches, regenerate). seed: the seed asked for (jobs) or used (images); batch_id and
-- batch_index: the call that made several images and the place in it; regenerated_from: the image or job a
-- regenerate_image call reran; request: what a rerun needs besides the common columns, as JSON
-- ({"model", "strength", "references", "mask"}), null for edits and imports.
ALTER TABLE jobs ADD COLUMN seed INTEGER;
ALTER TABLE jobs ADD COLUMN batch_id TEXT;
ALTER TABLE jobs ADD COLUMN batch_index INTEGER;
ALTER TABLE jobs ADD COLUMN regenerated_from TEXT;
ALTER TABLE jobs ADD COLUMN request TEXT;
ALTER TABLE images ADD COLUMN seed INTEGER;
ALTER TABLE images ADD COLUMN batch_id TEXT;
ALTER TABLE images ADD COLUMN batch_index INTEGER;
ALTER TABLE images ADD COLUMN regenerated_from TEXT;
ALTER TABLE images ADD COLUMN request TEXT;
CREATE INDEX jobs_batch_idx ON jobs (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX images_batch_idx ON images (batch_id) WHERE batch_id IS NOT NULL;
