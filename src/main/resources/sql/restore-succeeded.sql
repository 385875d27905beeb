-- binds: exchangeProperty.restore = com.mking.backup.restore.RestoreTask
UPDATE restore_tasks
SET status = 'success',
    end_time = :#${exchangeProperty.restore.endTime},
    duration_seconds = :#${exchangeProperty.restore.durationSeconds},
    restored_size_bytes = :#${exchangeProperty.restore.restoredBytes},
    restored_file_count = :#${exchangeProperty.restore.restoredFileCount},
    checksum_verified = :#${exchangeProperty.restore.checksumVerified},
    source_store = :#${exchangeProperty.restore.storeName},
    reached_lsn = :#${exchangeProperty.restore.reachedLsn},
    reached_timeline = :#${exchangeProperty.restore.reachedTimeline}
WHERE id = :#${exchangeProperty.restore.taskId}
