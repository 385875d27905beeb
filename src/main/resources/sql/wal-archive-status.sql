-- binds: body = com.mking.backup.source.postgres.wal.ArchiveMonitor$Status
INSERT INTO wal_archive_status (job_name, last_archived_wal, last_archived_time, failed_count, last_failed_wal,
                                last_failed_time, current_wal, pending_segments, lag_seconds)
VALUES (:#${body.job}, :#${body.lastArchivedWal}, :#${exchangeProperty.archivedAt}, :#${body.failedCount},
        :#${body.lastFailedWal}, :#${exchangeProperty.failedAt}, :#${body.currentWal}, :#${body.pendingSegments},
        :#${body.lagSeconds})
