UPDATE restore_tasks
SET status = 'aborted',
    end_time = (now() AT TIME ZONE 'UTC'),
    duration_seconds = EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - start_time))::int,
    error_message = :#${header.reason}
WHERE id = :#${header.taskId} AND status = 'running'
