INSERT INTO backup_copies (backup_execution_id, store_name, store_location, data_key, manifest_key, size_bytes, sha256, status)
VALUES ((SELECT id FROM backup_executions WHERE backup_id = :#backupId ORDER BY id DESC LIMIT 1), :#store, :#location,
        :#dataKey, :#manifestKey, :#size, :#sha256, 'stored')
ON CONFLICT (backup_execution_id, store_name) DO UPDATE
SET store_location = EXCLUDED.store_location, data_key = EXCLUDED.data_key, manifest_key = EXCLUDED.manifest_key,
    size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, status = 'stored'
WHERE backup_copies.status <> 'stored'
