-- Jobs are owned through a lease (as SQLite migration 0009): the running server renews lease_expires_epoch.
ALTER TABLE jobs ADD COLUMN owner_id text NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_expires_epoch double precision NOT NULL DEFAULT 0;
ALTER TABLE jobs DROP COLUMN owner_pid;
ALTER TABLE jobs DROP COLUMN owner_started_epoch;
CREATE INDEX jobs_owner_idx ON jobs (owner_id) WHERE status = 'generating';
