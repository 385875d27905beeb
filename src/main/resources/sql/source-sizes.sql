-- binds: header.job, header.limit — the newest successful runs that counted their source, newest first
SELECT source_files, source_bytes, backup_id
FROM backup_executions
WHERE job_name = :#${header.job} AND status = 'success' AND source_files IS NOT NULL
ORDER BY start_time DESC
LIMIT :#${header.limit}
