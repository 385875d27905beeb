-- every job the audit tables hold a run of, whether or not a route file still declares it
SELECT DISTINCT job_name FROM backup_executions ORDER BY job_name
