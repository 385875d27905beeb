-- binds: exchangeProperty.restore = com.mking.backup.restore.RestoreTask
UPDATE restore_tasks
SET status = :#${exchangeProperty.restore.endedStatus},
    end_time = :#${exchangeProperty.restore.endTime},
    duration_seconds = :#${exchangeProperty.restore.durationSeconds},
    error_message = :#${exchangeProperty.restore.errorMessage},
    checksum_verified = :#${exchangeProperty.restore.checksumVerified},
    source_store = :#${exchangeProperty.restore.storeName},
    reached_lsn = :#${exchangeProperty.restore.reachedLsn},
    reached_timeline = :#${exchangeProperty.restore.reachedTimeline}
WHERE id = :#${exchangeProperty.restore.taskId}
