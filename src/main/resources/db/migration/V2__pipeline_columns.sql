-- What the streaming pipeline records beyond the seed's columns.

-- Jobs are declared in routes/*.yaml; one row per job, refreshed at start-up.
ALTER TABLE backup_configurations
    ADD COLUMN source_kind VARCHAR(50),
    ADD COLUMN stores TEXT,
    ADD COLUMN route_file TEXT,
    ADD COLUMN parameters TEXT;

ALTER TABLE backup_executions
    ADD COLUMN backup_id VARCHAR(64) UNIQUE,
    ADD COLUMN job_name VARCHAR(100),
    ADD COLUMN source_kind VARCHAR(50),
    ADD COLUMN method VARCHAR(50),
    ADD COLUMN raw_size_bytes BIGINT,
    ADD COLUMN stored_size_bytes BIGINT,
    ADD COLUMN raw_sha256 CHAR(64),
    ADD COLUMN sha256 CHAR(64),
    ADD COLUMN compression VARCHAR(20),
    ADD COLUMN encryption_key_id VARCHAR(64),
    ADD COLUMN tool_version TEXT,
    ADD COLUMN server_version TEXT,
    ADD COLUMN manifest_key TEXT,
    ADD COLUMN triggered_by VARCHAR(50),
    ADD COLUMN host_name VARCHAR(255);

CREATE INDEX idx_backup_executions_job_start ON backup_executions(job_name, start_time);

-- One row per stored copy of a backup: a backup sent to two stores has two rows.
CREATE TABLE backup_copies (
    id SERIAL PRIMARY KEY,
    backup_execution_id INTEGER NOT NULL REFERENCES backup_executions(id),
    store_name VARCHAR(100) NOT NULL,
    store_location TEXT NOT NULL,
    data_key TEXT NOT NULL,
    manifest_key TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 CHAR(64) NOT NULL,
    status VARCHAR(50) NOT NULL, -- 'stored', 'deleted', 'missing'
    verified_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (backup_execution_id, store_name)
);
CREATE INDEX idx_backup_copies_store ON backup_copies(store_name);

ALTER TABLE restore_tasks
    ADD COLUMN backup_id VARCHAR(64),
    ADD COLUMN source_store VARCHAR(100),
    ADD COLUMN checksum_verified BOOLEAN,
    ADD COLUMN forced BOOLEAN DEFAULT false;
