-- binds: exchangeProperty.restore = com.mking.backup.restore.RestoreTask
INSERT INTO restore_tasks (backup_execution_id, restore_type, target_path, status, start_time, requested_by,
                           backup_id, source_store, forced, restore_point, restore_point_name, recovery_target,
                           process_id)
VALUES ((SELECT id FROM backup_executions WHERE backup_id = :#${exchangeProperty.restore.backupId}),
        :#${exchangeProperty.restore.restoreType}, :#${exchangeProperty.restore.target}, 'running',
        :#${exchangeProperty.restore.startTime}, :#${exchangeProperty.restore.requestedBy},
        :#${exchangeProperty.restore.backupId}, :#${exchangeProperty.restore.storeName}, :#${exchangeProperty.restore.forced},
        :#${exchangeProperty.restore.restorePoint}, :#${exchangeProperty.restore.restorePointName},
        :#${exchangeProperty.restore.recoveryTarget}, :#${exchangeProperty.restore.processId})
RETURNING id
