-- binds: body = com.mking.backup.verify.Verifier$CopyResult
INSERT INTO backup_verifications (backup_execution_id, verification_type, status, start_time, end_time, duration_seconds,
                                  verified_file_count, failed_file_count, checksum_match, error_details, store_name,
                                  format_checked)
VALUES ((SELECT id FROM backup_executions WHERE backup_id = :#${body.backupId}), 'checksum',
        :#${exchangeProperty.verificationStatus}, :#${exchangeProperty.verificationStart},
        :#${exchangeProperty.verificationEnd}, :#${exchangeProperty.verificationSeconds},
        :#${exchangeProperty.verifiedFiles}, :#${exchangeProperty.failedFiles}, :#${body.checksumMatch},
        :#${body.error}, :#${body.store}, :#${body.formatChecked})
