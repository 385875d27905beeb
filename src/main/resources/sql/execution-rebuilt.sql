INSERT INTO backup_executions (configuration_id, execution_type, status, start_time, end_time, duration_seconds,
                               backup_size_bytes, stored_size_bytes, raw_size_bytes, sha256, raw_sha256, file_count,
                               backup_path, manifest_key, compression, encryption_key_id, tool_version, server_version,
                               verification_status, backup_id, job_name, source_kind, method, triggered_by)
VALUES ((SELECT id FROM backup_configurations WHERE name = :#job), :#method, 'success', :#startTime, :#endTime,
        :#durationSeconds, :#storedSize, :#storedSize, :#rawSize, :#sha256, :#rawSha256, :#fileCount, :#backupPath, :#manifestKey,
        :#compression, :#keyId, :#toolVersion, :#serverVersion, 'pending', :#backupId, :#job, :#source, :#method,
        :#triggeredBy)
RETURNING id
