-- binds: exchangeProperty.run = com.mking.backup.job.BackupRun
UPDATE backup_executions
SET status = 'failed',
    end_time = :#${exchangeProperty.run.endTime},
    duration_seconds = :#${exchangeProperty.run.durationSeconds},
    error_message = :#${exchangeProperty.run.errorMessage},
    tool_version = :#${exchangeProperty.run.toolVersion},
    server_version = :#${exchangeProperty.run.serverVersion},
    verification_status = 'skipped'
WHERE id = :#${exchangeProperty.run.executionId}
