-- every job the audit tables hold a run of, whether or not a route file still declares it
SELECT DISTINCT job_name FROM backup_executions WHERE backup_id IS NOT NULL ORDER BY job_name
