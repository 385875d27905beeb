SELECT backup_id, job_name, start_time, process_id
FROM backup_executions
WHERE status = 'running' AND backup_id IS NOT NULL
ORDER BY start_time
