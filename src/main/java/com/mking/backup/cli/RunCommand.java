package com.mking.backup.cli;

import com.mking.backup.app.BackupService;
import com.mking.backup.job.BackupRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one job now, wait for it, and print a summary.")
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "JOB", description = "job name (the job parameter in routes/*.yaml)")
    String job;

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            BackupService backups = runtime.bean(BackupService.class);
            runtime.jobs().job(job); // an unknown job is named before the progress line starts
            AtomicLong progress = new AtomicLong();
            BackupRun run;
            try (Progress ignored = new Progress("backing up " + job, progress, System.out)) {
                run = backups.run(job, "cli", progress);
            } catch (java.io.IOException e) {
                System.err.println("failed: " + e.getMessage());
                return MkingBackup.FAILED;
            }
            int code = summarize(run);
            if (code == MkingBackup.OK) {
                // said here too: with no daemon running, nobody else would look before `check`
                com.mking.backup.monitor.Checks.shrinkage(job, runtime.bean(com.mking.backup.audit.Catalog.class)
                                .sourceSizes(job, com.mking.backup.monitor.Checks.SHRINK_HELD_RUNS + 8))
                        .ifPresent(alert -> System.err.println("warning: " + alert.subject() + ": " + alert.detail()));
            }
            return code;
        }
    }

    private static int summarize(BackupRun run) {
        switch (run.status()) {
            case SUCCESS -> {
                var manifest = run.manifest();
                double ratio = manifest.rawSize() == 0 ? 0 : 100.0 * (1 - (double) manifest.storedSize() / manifest.rawSize());
                System.out.printf("backup %s of job %s succeeded in %d s%n", run.getBackupId(), run.getJobName(),
                        run.getDurationSeconds());
                System.out.printf("  raw %s, stored %s (%.1f %% saved), sha256 %s%n", Progress.human(manifest.rawSize()),
                        Progress.human(manifest.storedSize()), ratio, manifest.storedSha256());
                java.util.Map<String, String> details = manifest.details() == null ? java.util.Map.of() : manifest.details();
                if (details.containsKey("packBytesStored") && details.containsKey("bytes")) {
                    // a snapshot's artefacts are its index: its content is in packs it shares with other snapshots
                    System.out.printf("  snapshot of %s files, %s; read %s, stored %s of new content in %s pack(s)%n",
                            details.get("files"), Progress.human(Long.parseLong(details.get("bytes"))),
                            Progress.human(Long.parseLong(details.getOrDefault("bytesRead", "0"))),
                            Progress.human(Long.parseLong(details.get("packBytesStored"))),
                            details.getOrDefault("packsWritten", "0"));
                }
                if (manifest.artefacts().size() > 1) {
                    manifest.artefacts().forEach(artefact -> System.out.printf("  %-24s raw %s, stored %s, sha256 %s%n",
                            artefact.name(), Progress.human(artefact.rawSize()), Progress.human(artefact.storedSize()),
                            artefact.storedSha256()));
                }
                run.copies().forEach(copy -> System.out.printf("  %-8s %s/%s%n", copy.store(), copy.location(),
                        manifest.artefacts().size() > 1 ? copy.manifestKey() : copy.dataKey()));
                return MkingBackup.OK;
            }
            case SKIPPED -> {
                System.err.println("skipped: " + run.error());
                return MkingBackup.SKIPPED;
            }
            default -> {
                System.err.printf("backup %s of job %s failed: %s%n", run.getBackupId(), run.getJobName(), run.error());
                return MkingBackup.FAILED;
            }
        }
    }
}
