-- binds: body = com.mking.backup.restore.RestoreTester$Result
INSERT INTO backup_verifications (backup_execution_id, verification_type, status, start_time, end_time, duration_seconds,
                                  verified_file_count, failed_file_count, checksum_match, error_details, store_name)
VALUES ((SELECT id FROM backup_executions WHERE backup_id = :#${body.backupId}), 'restore_test',
        :#${exchangeProperty.testStatus}, :#${exchangeProperty.testStart}, :#${exchangeProperty.testEnd},
        :#${exchangeProperty.testSeconds}, NULL, NULL, NULL, :#${body.detail}, :#${body.store})
