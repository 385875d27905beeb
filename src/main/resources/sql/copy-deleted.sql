UPDATE backup_copies
SET status = 'deleted'
WHERE store_name = :#${header.store}
  AND backup_execution_id = (SELECT id FROM backup_executions WHERE backup_id = :#${header.backupId})
