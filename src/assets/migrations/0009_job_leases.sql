-- Jobs are owned through a lease instead of a process id: the server running a job renews lease_expires_epoch,
-- and a job whose lease has lapsed is reported interrupted by whichever server reads it next. Rows written before
-- this migration keep lease 0, so a job left generating by an older version is reported interrupted.
ALTER TABLE jobs ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_expires_epoch REAL NOT NULL DEFAULT 0;
ALTER TABLE jobs DROP COLUMN owner_pid;
ALTER TABLE jobs DROP COLUMN owner_started_epoch;
