-- RPO lag of each pg-physical job's WAL archive, measured on a schedule by the daemon.
CREATE TABLE wal_archive_status (
    id SERIAL PRIMARY KEY,
    job_name VARCHAR(100) NOT NULL,
    measured_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    last_archived_wal VARCHAR(64),
    last_archived_time TIMESTAMP,
    failed_count BIGINT,
    last_failed_wal VARCHAR(64),
    last_failed_time TIMESTAMP,
    current_wal VARCHAR(64),
    pending_segments BIGINT,
    lag_seconds BIGINT NOT NULL
);
CREATE INDEX idx_wal_archive_status_job_time ON wal_archive_status(job_name, measured_at);
