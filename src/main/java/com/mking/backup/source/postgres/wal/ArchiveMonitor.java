package com.mking.backup.source.postgres.wal;

import com.mking.backup.job.JobSpec;
import com.mking.backup.source.postgres.PostgresConnections;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Measures how far the WAL archive of a pg-physical job is behind its server (the RPO at risk), from
 * {@code pg_stat_archiver}: the age of the oldest WAL not yet archived, approximated as the time since
 * the last successful archive whenever a completed segment is waiting or the archiver is failing, and
 * 0 when only the segment being written is unarchived (its age is bounded by archive_timeout).
 */
public final class ArchiveMonitor {

    private final Clock clock;

    public ArchiveMonitor(Clock clock) {
        this.clock = clock;
    }

    public record Status(String job, String lastArchivedWal, Instant lastArchivedTime, long failedCount,
                         String lastFailedWal, Instant lastFailedTime, String currentWal, long pendingSegments,
                         long lagSeconds) {
    }

    public Status measure(JobSpec job) throws IOException {
        try (Connection connection = PostgresConnections.open(job, "postgres");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("""
                     SELECT last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time,
                            pg_walfile_name(pg_current_wal_lsn()), pg_size_bytes(current_setting('wal_segment_size'))
                     FROM pg_stat_archiver""")) {
            row.next();
            String lastArchived = row.getString(1);
            Instant lastArchivedTime = instant(row.getTimestamp(2));
            long failedCount = row.getLong(3);
            String lastFailed = row.getString(4);
            Instant lastFailedTime = instant(row.getTimestamp(5));
            String current = row.getString(6);
            long segmentSize = row.getLong(7);
            long pending = pending(lastArchived, current, segmentSize);
            boolean failing = lastFailedTime != null && (lastArchivedTime == null || lastFailedTime.isAfter(lastArchivedTime));
            long lag = 0;
            if (pending > 0 || failing) {
                Instant since = lastArchivedTime != null ? lastArchivedTime : lastFailedTime;
                lag = since == null ? 0 : Math.max(0, Duration.between(since, clock.instant()).toSeconds());
            }
            return new Status(job.name(), lastArchived, lastArchivedTime, failedCount, lastFailed, lastFailedTime, current,
                    pending, lag);
        } catch (SQLException e) {
            throw new IOException("cannot read pg_stat_archiver of job " + job.name() + ": " + e.getMessage(), e);
        }
    }

    /** Completed segments written after the last archived one (the one being written does not count). */
    static long pending(String lastArchived, String current, long segmentSize) {
        if (current == null) {
            return 0;
        }
        WalNames.Segment now = WalNames.parse(current, segmentSize).orElseThrow();
        // the last archived file may be a backup history file (<segment>.<offset>.backup) or a timeline history
        if (lastArchived == null || lastArchived.length() < 24 || !WalNames.isSegment(lastArchived.substring(0, 24))) {
            return 0;
        }
        WalNames.Segment archived = WalNames.parse(lastArchived.substring(0, 24), segmentSize).orElseThrow();
        return Math.max(0, now.number() - archived.number() - 1);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
