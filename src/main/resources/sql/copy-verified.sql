-- binds: body = com.mking.backup.verify.Verifier$CopyResult
UPDATE backup_copies SET verified_at = :#${exchangeProperty.verificationEnd}
WHERE store_name = :#${body.store}
  AND backup_execution_id = (SELECT id FROM backup_executions WHERE backup_id = :#${body.backupId})
