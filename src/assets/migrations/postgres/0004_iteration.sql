-- Iteration (seeds, batches, regenerate), as SQLite migration 0008. seed: the seed asked for (jobs) or used (images);
-- batch_id and batch_index: the call that made several images and the place in it; regenerated_from: the image or
-- job a regenerate_image call reran; request: what a rerun needs besides the common columns, as JSON.
ALTER TABLE jobs ADD COLUMN seed bigint;
ALTER TABLE jobs ADD COLUMN batch_id text;
ALTER TABLE jobs ADD COLUMN batch_index integer;
ALTER TABLE jobs ADD COLUMN regenerated_from text;
ALTER TABLE jobs ADD COLUMN request text;
ALTER TABLE images ADD COLUMN seed bigint;
ALTER TABLE images ADD COLUMN batch_id text;
ALTER TABLE images ADD COLUMN batch_index integer;
ALTER TABLE images ADD COLUMN regenerated_from text;
ALTER TABLE images ADD COLUMN request text;
CREATE INDEX jobs_batch_idx ON jobs (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX images_batch_idx ON images (batch_id) WHERE batch_id IS NOT NULL;
