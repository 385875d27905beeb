-- once per reason: a backup pruned from two stores for one reason says it once
UPDATE backup_executions
SET error_message = COALESCE(error_message || '; ', '') || 'deleted by ' || :#${header.reason}
WHERE backup_id = :#${header.backupId}
  AND position('deleted by ' || :#${header.reason} IN COALESCE(error_message, '')) = 0
