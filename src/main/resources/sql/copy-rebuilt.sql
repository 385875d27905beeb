INSERT INTO backup_copies (backup_execution_id, store_name, store_location, data_key, manifest_key, size_bytes, sha256, status)
VALUES (:#executionId, :#store, :#location, :#dataKey, :#manifestKey, :#size, :#sha256, 'stored')
ON CONFLICT (backup_execution_id, store_name) DO NOTHING
