-- binds: exchangeProperty.run = com.mking.backup.job.BackupRun
INSERT INTO backup_executions (configuration_id, execution_type, status, start_time, verification_status,
                               backup_id, job_name, source_kind, method, triggered_by, host_name, process_id)
VALUES ((SELECT id FROM backup_configurations WHERE name = :#${exchangeProperty.run.jobName}),
        :#${exchangeProperty.run.method}, 'running', :#${exchangeProperty.run.startTime}, 'pending',
        :#${exchangeProperty.run.backupId}, :#${exchangeProperty.run.jobName}, :#${exchangeProperty.run.sourceKind},
        :#${exchangeProperty.run.method}, :#${exchangeProperty.run.triggeredBy}, :#${exchangeProperty.run.hostName},
        :#${exchangeProperty.run.processId})
RETURNING id
