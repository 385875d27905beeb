package com.mking.backup.cli;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.pipeline.Manifest;
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

    @Option(names = "--status", paramLabel = "STATUS", description = "only runs with this status: success, failed, running")
    String status;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many rows (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON (one array) instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(BackupRuntime.Profile.CATALOG)) {
            if (status != null && !java.util.List.of("success", "failed", "running", "aborted", "skipped").contains(status)) {
                throw new IllegalArgumentException("--status " + status + " is not one of success, failed, running, aborted, skipped");
            }
            Catalog catalog = runtime.bean(Catalog.class);
            List<CatalogEntry> entries = catalog.list(job, null, status, limit);
            if (job != null && runtime.jobs().find(job).isEmpty() && catalog.list(job, null, null, 1).isEmpty()) {
                throw new IllegalArgumentException("no job named '" + job + "' in the route files or the catalog; jobs: "
                        + String.join(", ", runtime.jobs().jobs().stream().map(JobSpec::name).toList()));
            }
            if (json) {
                System.out.println(Manifest.json().writeValueAsString(entries));
                return MkingBackup.OK;
            }
            System.out.printf("%-24s %-20s %-8s %-19s %10s %10s %-16s %s%n", "ID", "JOB", "STATUS", "STARTED (UTC)",
                    "RAW", "STORED", "SHA256", "STORES");
            if (entries.isEmpty() && catalog.list(null, null, null, 1).isEmpty()) {
                System.err.println("the catalog is empty. If backups exist in the stores (a new host, a lost audit database), "
                        + "run: mking-backup catalog-rebuild");
            }
            for (CatalogEntry e : entries) {
                System.out.printf("%-24s %-20s %-8s %-19s %10s %10s %-16s %s%n", e.backupId(), e.job(), e.status(),
                        e.startTime() == null ? "" : e.startTime().withNano(0).toString().replace('T', ' '),
                        e.rawSize() == null ? "" : Progress.human(e.rawSize()),
                        e.storedSize() == null ? "" : Progress.human(e.storedSize()),
                        e.sha256() == null ? "" : e.sha256().substring(0, 16), String.join(",", e.storeNames()));
            }
            return MkingBackup.OK;
        }
    }
}
