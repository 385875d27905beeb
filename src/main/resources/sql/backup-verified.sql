UPDATE backup_executions
SET verification_status = :#${exchangeProperty.backupVerification},
    verification_time = (now() AT TIME ZONE 'UTC')
WHERE backup_id = :#${header.mkingBackupId}
