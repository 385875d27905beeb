UPDATE backup_copies
SET status = 'deleted'
WHERE backup_execution_id = (SELECT id FROM backup_executions WHERE backup_id = :#${header.backupId})
