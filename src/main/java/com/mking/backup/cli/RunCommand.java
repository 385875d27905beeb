package com.mking.backup.cli;

import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobSpec;
import com.mking.backup.route.BackupRoutes;
import org.apache.camel.Exchange;
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
            JobSpec spec = runtime.jobs().job(job);
            AtomicLong progress = new AtomicLong();
            Exchange exchange;
            try (Progress ignored = new Progress("backing up " + spec.name(), progress, System.out)) {
                exchange = runtime.producer().send(BackupRoutes.RUN, e -> {
                    e.getMessage().setHeader(BackupRunner.JOB_HEADER, spec.name());
                    e.getMessage().setHeader(BackupRunner.TRIGGER_HEADER, "cli");
                    e.getMessage().setHeader(BackupRunner.PROGRESS_HEADER, progress);
                });
            }
            BackupRun run = exchange.getProperty(BackupRunner.RUN, BackupRun.class);
            if (run == null) {
                System.err.println("failed: " + BackupRunner.describe(exchange.getException()));
                return MkingBackup.FAILED;
            }
            return summarize(run);
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
