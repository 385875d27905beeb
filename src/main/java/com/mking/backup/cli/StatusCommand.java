package com.mking.backup.cli;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.wal.ArchiveMonitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Each job's last run and last success; for pg-physical jobs the WAL archive's RPO lag now.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(false)) {
            Catalog catalog = runtime.bean(Catalog.class);
            ArchiveMonitor monitor = runtime.bean(ArchiveMonitor.class);
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
                if ("pg-physical".equals(job.source())) {
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
            } else {
                rows.forEach(row -> System.out.println(row));
            }
            return MkingBackup.OK;
        }
    }
}
