UPDATE backup_executions
SET error_message = COALESCE(error_message || '; ', '') || 'deleted by ' || :#${header.reason}
WHERE backup_id = :#${header.backupId}
