-- binds: exchangeProperty.run = com.mking.backup.job.BackupRun
-- binds: body = com.mking.backup.job.StoredCopy
INSERT INTO backup_copies (backup_execution_id, store_name, store_location, data_key, manifest_key, size_bytes,
                           sha256, status, verified_at)
VALUES (:#${exchangeProperty.run.executionId}, :#${body.store}, :#${body.location}, :#${body.dataKey},
        :#${body.manifestKey}, :#${body.size}, :#${body.sha256}, 'stored', :#${exchangeProperty.copyVerifiedAt})
