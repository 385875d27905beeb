package com.mking.backup.cli;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.JobSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List the backup catalog, newest first.")
final class ListCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--job", paramLabel = "JOB", description = "only this job")
    String job;

    @Option(names = "--status", paramLabel = "STATUS", description = "only runs with this status: success, failed, running, "
            + "aborted, skipped, or damaged (a copy failed verification) or deleted (no copy left)")
    String status;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many rows (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON (one array) instead of a table")
    boolean json;

    private static final List<String> SUCCESSES = List.of("success", "degraded", "damaged", "deleted");
    private static final List<String> STATUSES = List.of("success", "degraded", "damaged", "deleted", "failed", "running", "aborted",
            "skipped");

    /** Names the jobs there are to list: the route files' and those only the catalog still holds backups of. */
    static String unknownJob(String job, List<String> routeJobs, List<String> catalogJobs) {
        java.util.Set<String> all = new java.util.TreeSet<>(routeJobs);
        all.addAll(catalogJobs);
        List<String> catalogOnly = catalogJobs.stream().filter(name -> !routeJobs.contains(name)).toList();
        return "no job named '" + job + "' in the route files or the catalog; "
                + com.mking.backup.config.ConfigCheck.closest(job, all).map(c -> "did you mean '" + c + "'? ").orElse("")
                + "jobs in the route files: " + (routeJobs.isEmpty() ? "none" : String.join(", ", routeJobs))
                + (catalogOnly.isEmpty() ? "" : "; only in the catalog (no longer in the route files): "
                + String.join(", ", catalogOnly));
    }

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(BackupRuntime.Profile.CATALOG)) {
            if (status != null && !STATUSES.contains(status)) {
                throw new IllegalArgumentException("--status " + status + " is not one of " + String.join(", ", STATUSES));
            }
            Catalog catalog = runtime.bean(Catalog.class);
            // damaged and deleted backups are successful runs whose copies went bad or away: all successes are read then
            List<CatalogEntry> entries = status == null || !SUCCESSES.contains(status) ? catalog.list(job, null, status, limit)
                    : catalog.list(job, null, "success", Integer.MAX_VALUE).stream()
                    .filter(entry -> entry.state().equals(status)).limit(limit).toList();
            if (job != null && runtime.jobs().find(job).isEmpty() && catalog.list(job, null, null, 1).isEmpty()) {
                throw new IllegalArgumentException(unknownJob(job, runtime.jobs().jobs().stream().map(JobSpec::name).toList(),
                        catalog.jobNames()));
            }
            if (json) {
                // "status" is the run's; "state" is the STATUS column: degraded, damaged or deleted for a success gone bad
                System.out.println(JsonOutput.of(entries.stream().map(e -> JsonOutput.with(e, "state", e.state())).toList()));
                return MkingBackup.OK;
            }
            System.out.printf("%-24s %-20s %-8s %-19s %10s %10s %-16s %s%n", "ID", "JOB", "STATUS", "STARTED (UTC)",
                    "RAW", "STORED", "SHA256", "STORES");
            if (entries.isEmpty() && catalog.list(null, null, null, 1).isEmpty()) {
                System.err.println("the catalog is empty. If backups exist in the stores (a new host, a lost audit database), "
                        + "run: mking-backup catalog-rebuild");
            }
            for (CatalogEntry e : entries) {
                System.out.printf("%-24s %-20s %-8s %-19s %10s %10s %-16s %s%n", e.backupId(), e.job(), e.state(),
                        e.startTime() == null ? "" : com.mking.backup.audit.AuditTimes.shown(e.startTime()),
                        e.rawSize() == null ? "" : Progress.human(e.rawSize()),
                        e.storedSize() == null ? "" : Progress.human(e.storedSize()),
                        e.sha256() == null ? "" : e.sha256().substring(0, 16), String.join(",", e.storeNames()));
            }
            return MkingBackup.OK;
        }
    }
}
