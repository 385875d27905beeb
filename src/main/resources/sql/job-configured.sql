INSERT INTO backup_configurations (name, backup_type, source_path, destination_path, schedule_cron, compression_enabled,
                                   encryption_enabled, remote_backup_enabled, source_kind, stores, route_file, parameters,
                                   is_active, updated_at)
VALUES (:#name, :#backupType, :#sourcePath, :#destinationPath, :#cron, :#compressionEnabled, :#encryptionEnabled,
        :#remoteEnabled, :#sourceKind, :#stores, :#routeFile, :#parameters, true, now())
ON CONFLICT (name) DO UPDATE
SET backup_type = EXCLUDED.backup_type, source_path = EXCLUDED.source_path,
    destination_path = EXCLUDED.destination_path, schedule_cron = EXCLUDED.schedule_cron,
    compression_enabled = EXCLUDED.compression_enabled, encryption_enabled = EXCLUDED.encryption_enabled,
    remote_backup_enabled = EXCLUDED.remote_backup_enabled, source_kind = EXCLUDED.source_kind,
    stores = EXCLUDED.stores, route_file = EXCLUDED.route_file, parameters = EXCLUDED.parameters,
    is_active = true, updated_at = now()
