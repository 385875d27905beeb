package com.mking.backup.app;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.monitor.MonitorRunner;
import com.mking.backup.source.ContinuousArchive;
import com.mking.backup.source.postgres.wal.ArchiveMonitor;

import java.io.IOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Where every job stands: its last run and last success, whether its source is protected, and for a continuously
 * archived source the archive's state and RPO lag. Used by {@code mking-backup status} and by routes
 * ({@code direct:status}, body: the list), so a route file or the web console asks the same question the CLI does.
 */
public final class StatusService {

    /** One job's status; times are UTC. {@code archive} is null for sources without a continuous archive. */
    public record JobStatus(String job, String source, String cron, LocalDateTime lastRun, String lastStatus,
                            LocalDateTime lastSuccess, String protection, ArchiveStatus archive, String archiveError) {
    }

    /** The state of a continuous archive (PostgreSQL WAL). */
    public record ArchiveStatus(String lastArchived, long pendingSegments, long failedCount, long rpoLagSeconds) {
    }

    private final JobCatalog jobs;
    private final Catalog catalog;
    private final ArchiveMonitor monitor;
    private final MonitorRunner checks;

    public StatusService(JobCatalog jobs, Catalog catalog, ArchiveMonitor monitor, MonitorRunner checks) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.monitor = monitor;
        this.checks = checks;
    }

    public List<JobStatus> status() {
        List<JobStatus> statuses = new ArrayList<>();
        for (JobSpec job : jobs.jobs()) {
            CatalogEntry last = catalog.list(job.name(), null, null, 1).stream().findFirst().orElse(null);
            CatalogEntry success = catalog.list(job.name(), null, "success", 1).stream().findFirst().orElse(null);
            // a gap that could not be checked fully (a setting the role may not read) is a doubt, not a finding
            String protection = checks.protection(job).map(alert -> (alert.level() == com.mking.backup.alert.Alert.Level.DANGER
                    ? "NOT PROTECTED: " : "MAY NOT BE PROTECTED: ") + alert.detail())
                    // nothing to restore from yet is not "ok", whatever the source's own settings
                    .orElse(success == null ? "no backup to restore yet" : "ok");
            ArchiveStatus archive = null;
            String archiveError = null;
            if (jobs.capability(job, ContinuousArchive.class).isPresent()) {
                try {
                    ArchiveMonitor.Status wal = monitor.measure(job);
                    archive = new ArchiveStatus(wal.lastArchivedWal(), wal.pendingSegments(), wal.failedCount(), wal.lagSeconds());
                } catch (IOException e) {
                    archiveError = e.getMessage();
                }
            }
            statuses.add(new JobStatus(job.name(), job.source(), job.cron(), last == null ? null : last.startTime(),
                    last == null ? null : last.state(), success == null ? null : success.endTime(), protection, archive,
                    archiveError));
        }
        return statuses;
    }
}
