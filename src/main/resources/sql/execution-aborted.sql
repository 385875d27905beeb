UPDATE backup_executions
SET status = 'aborted',
    end_time = (now() AT TIME ZONE 'UTC'),
    duration_seconds = EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - start_time))::int,
    error_message = :#${header.reason},
    verification_status = 'skipped'
WHERE backup_id = :#${header.backupId} AND status = 'running'
