package com.mking.backup.cli;

import com.mking.backup.app.StatusService;
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
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            for (StatusService.JobStatus status : runtime.bean(StatusService.class).status()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("job", status.job());
                row.put("source", status.source());
                row.put("cron", status.cron());
                if (status.lastRun() != null) {
                    row.put("lastRun", status.lastRun());
                    row.put("lastStatus", status.lastStatus());
                }
                row.put("lastSuccess", status.lastSuccess());
                row.put("protection", status.protection());
                if (status.archive() != null) {
                    row.put("walLastArchived", status.archive().lastArchived());
                    row.put("walPendingSegments", status.archive().pendingSegments());
                    row.put("walFailedCount", status.archive().failedCount());
                    row.put("rpoLagSeconds", status.archive().rpoLagSeconds());
                } else if (status.archiveError() != null) {
                    row.put("walError", status.archiveError());
                }
                rows.add(row);
            }
            if (json) {
                System.out.println(JsonOutput.of(rows));
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
        if (value instanceof java.time.LocalDateTime time) {
            return com.mking.backup.audit.AuditTimes.shown(time);
        }
        return value == null ? "-" : value.toString().replace('T', ' ').replaceFirst("\\.\\d+$", "");
    }
}
