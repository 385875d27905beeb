-- Which process owns a running backup or restore ("host:pid"), so that a run whose process died is found
-- (its job lock is free) and marked 'aborted' instead of staying 'running' forever.
ALTER TABLE backup_executions ADD COLUMN process_id VARCHAR(200);

ALTER TABLE restore_tasks
    ADD COLUMN process_id VARCHAR(200),
    ADD COLUMN restore_point_name VARCHAR(64),
    ADD COLUMN recovery_target TEXT,
    ADD COLUMN reached_lsn VARCHAR(32),
    ADD COLUMN reached_timeline INTEGER;

-- Restore points (pg_create_restore_point) found in archived WAL: recovery planning picks the base
-- backup that can reach one, and refuses a name the archive does not hold before replaying anything.
CREATE TABLE wal_restore_points (
    id SERIAL PRIMARY KEY,
    job_name VARCHAR(100) NOT NULL,
    name VARCHAR(64) NOT NULL,
    lsn VARCHAR(32) NOT NULL,
    timeline INTEGER NOT NULL,
    segment VARCHAR(40) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    UNIQUE (job_name, timeline, lsn)
);
CREATE INDEX idx_wal_restore_points_job_name ON wal_restore_points(job_name, name);
