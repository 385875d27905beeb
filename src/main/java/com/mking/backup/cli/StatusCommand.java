package com.mking.backup.cli;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.JobSpec;
import com.mking.backup.monitor.MonitorRunner;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.postgres.wal.ArchiveMonitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Each job's last run and last success, whether "
        + "it is protected (a pg-physical job's server archives WAL here), and its WAL archive's RPO lag now.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(BackupRuntime.Profile.CATALOG)) {
            Catalog catalog = runtime.bean(Catalog.class);
            ArchiveMonitor monitor = runtime.bean(ArchiveMonitor.class);
            MonitorRunner checks = runtime.bean(MonitorRunner.class);
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            for (JobSpec job : runtime.jobs().jobs()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("job", job.name());
                row.put("source", job.source());
                row.put("cron", job.cron());
                catalog.list(job.name(), null, null, 1).stream().findFirst().ifPresent(last -> {
                    row.put("lastRun", last.startTime());
                    row.put("lastStatus", last.status());
                });
                List<CatalogEntry> successes = catalog.list(job.name(), null, "success", 1);
                row.put("lastSuccess", successes.isEmpty() ? null : successes.get(0).endTime());
                row.put("protection", checks.protection(job).map(alert -> "NOT PROTECTED: " + alert.detail()).orElse("ok"));
                if (runtime.jobs().capability(job, com.mking.backup.source.ContinuousArchive.class).isPresent()) {
                    try {
                        ArchiveMonitor.Status wal = monitor.measure(job);
                        row.put("walLastArchived", wal.lastArchivedWal());
                        row.put("walPendingSegments", wal.pendingSegments());
                        row.put("walFailedCount", wal.failedCount());
                        row.put("rpoLagSeconds", wal.lagSeconds());
                    } catch (java.io.IOException e) {
                        row.put("walError", e.getMessage());
                    }
                }
                rows.add(row);
            }
            if (json) {
                System.out.println(Manifest.json().writeValueAsString(rows));
                return MkingBackup.OK;
            }
            System.out.printf("%-20s %-11s %-16s %-8s %-19s %-19s %-14s %s%n", "JOB", "SOURCE", "CRON", "LAST", "LAST RUN (UTC)",
                    "LAST SUCCESS (UTC)", "WAL / RPO LAG", "PROTECTION");
            for (Map<String, Object> row : rows) {
                String wal = row.containsKey("rpoLagSeconds") ? row.get("walPendingSegments") + " waiting, " + row.get("rpoLagSeconds") + " s"
                        : row.containsKey("walError") ? "unknown" : "-";
                System.out.printf("%-20s %-11s %-16s %-8s %-19s %-19s %-14s %s%n", row.get("job"), row.get("source"), row.get("cron"),
                        row.getOrDefault("lastStatus", "never"), time(row.get("lastRun")), time(row.get("lastSuccess")), wal,
                        row.get("protection"));
            }
            return MkingBackup.OK;
        }
    }

    private static String time(Object value) {
        return value == null ? "-" : value.toString().replace('T', ' ').replaceFirst("\\.\\d+$", "");
    }
}
