-- What the backed-up data held, where the source counts it (a files snapshot: files and bytes in the tree), so that
-- monitoring sees a sharp drop against the job's recent runs: the early sign of a mass deletion or ransomware.
ALTER TABLE backup_executions
    ADD COLUMN source_files BIGINT,
    ADD COLUMN source_bytes BIGINT;
