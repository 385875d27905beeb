SELECT e.id, e.backup_id, e.job_name, e.source_kind, e.method, e.status, e.start_time, e.end_time,
       e.duration_seconds, e.raw_size_bytes, e.stored_size_bytes, e.sha256, e.raw_sha256, e.compression,
       e.encryption_key_id, e.verification_status, e.verification_time, e.error_message,
       COALESCE((SELECT json_agg(json_build_object('store', c.store_name, 'location', c.store_location,
                                                   'dataKey', c.data_key, 'manifestKey', c.manifest_key,
                                                   'size', c.size_bytes, 'sha256', c.sha256,
                                                   'failedVerification', COALESCE(
                                                       (SELECT v.status = 'failed' FROM backup_verifications v
                                                        WHERE v.backup_execution_id = e.id AND v.store_name = c.store_name
                                                          AND v.verification_type = 'checksum'
                                                          AND v.status IN ('passed', 'failed')
                                                        ORDER BY v.id DESC LIMIT 1), false)
                                                       -- a failure recorded before copies were verified one by one
                                                       -- names no store: it counts against every copy
                                                       OR (e.verification_status = 'failed' AND NOT EXISTS (
                                                           SELECT 1 FROM backup_verifications v
                                                           WHERE v.backup_execution_id = e.id AND v.status = 'failed'
                                                             AND v.store_name IS NOT NULL))) ORDER BY c.store_name)
                 FROM backup_copies c WHERE c.backup_execution_id = e.id AND c.status = 'stored'), '[]')::text AS copies
FROM backup_executions e
WHERE e.backup_id IS NOT NULL
  AND (:#${header.job} = '' OR e.job_name = :#${header.job})
  AND (:#${header.backupId} = '' OR e.backup_id = :#${header.backupId})
  AND (:#${header.status} = '' OR e.status = :#${header.status})
ORDER BY e.start_time DESC, e.id DESC
LIMIT :#${header.limit}
