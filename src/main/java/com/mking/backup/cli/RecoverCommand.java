package com.mking.backup.cli;

import com.mking.backup.restore.ClusterRecovery;
import com.mking.backup.restore.RecoveryPlanner;
import com.mking.backup.restore.RestoreTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "recover", description = "Point-in-time recovery of a pg-physical job into a new data directory: "
        + "newest base backup before the target, archived WAL replayed, server started and promoted.")
final class RecoverCommand implements Callable<Integer> {

    private static final DateTimeFormatter POSTGRES_STYLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSS]XXX");

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "JOB", description = "the pg-physical job")
    String job;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "new data directory (an existing non-empty one needs --force and is moved aside to DIR.corrupted.<timestamp>)")
    Path dataDir;

    @Option(names = "--time", paramLabel = "TIME", description = "recover to this moment, with its offset: "
            + "'2026-11-25 10:00:00+00' or 2026-11-25T10:00:00Z (default: the end of the archived WAL)")
    String time;

    @Option(names = "--restore-point", paramLabel = "NAME", description = "recover to a point made with pg_create_restore_point()")
    String restorePoint;

    @Option(names = "--port", defaultValue = "5433", description = "port of the recovered server (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--from", paramLabel = "STORE", description = "store to read the base backup and WAL from")
    String fromStore;

    @Option(names = "--force", description = "move an existing non-empty data directory aside")
    boolean force;

    @Option(names = "--os-user", paramLabel = "USER", description = "OS user that runs the recovered server (default: postgres when run as root)")
    String osUser;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "recorded in restore_tasks (default: the OS user)")
    String requestedBy = System.getProperty("user.name");

    @Override
    public Integer call() throws Exception {
        if (time != null && restorePoint != null) {
            throw new IllegalArgumentException("give --time or --restore-point, not both");
        }
        Optional<Instant> target = Optional.ofNullable(time).map(RecoverCommand::parseTime);
        try (BackupRuntime runtime = parent.boot(false)) {
            ClusterRecovery recovery = runtime.bean(ClusterRecovery.class);
            ClusterRecovery.Request request = new ClusterRecovery.Request(job, dataDir, target, time, restorePoint, port,
                    fromStore, force, osUser, requestedBy);
            RecoveryPlanner.Plan plan = recovery.plan(request);
            System.out.printf("base backup %s (finished %s UTC), WAL %s .. %s (%d segments)%n", plan.base().backupId(),
                    plan.base().endTime(), plan.chain().start(), plan.chain().newest(), plan.chain().segments());
            java.util.concurrent.atomic.AtomicReference<Progress> progress = new java.util.concurrent.atomic.AtomicReference<>();
            ClusterRecovery.Outcome outcome;
            try {
                outcome = recovery.recover(request, plan, task ->
                        progress.set(new Progress("restoring " + plan.base().backupId(), task.progress(), System.out)));
            } finally {
                if (progress.get() != null) {
                    progress.get().close();
                }
            }
            RestoreTask task = outcome.task();
            if (task.succeeded()) {
                System.out.printf("recovered job %s into %s: server promoted on port %d; RTO %d s%n", job, dataDir, port,
                        task.getDurationSeconds());
                return MkingBackup.OK;
            }
            String missing = outcome.missingWal().isEmpty() ? ""
                    : " (WAL not in the archive: " + String.join(", ", outcome.missingWal()) + ")";
            System.err.println("recovery of job " + job + " failed: " + task.error() + missing);
            return MkingBackup.FAILED;
        }
    }

    static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        } catch (DateTimeParseException iso) {
            try {
                String normalized = text.trim().replaceAll("([+-]\\d{2})$", "$1:00");
                return OffsetDateTime.parse(normalized, POSTGRES_STYLE).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--time '" + text + "' is not a time with an offset; use e.g. "
                        + "'2026-11-25 10:00:00+00' or 2026-11-25T10:00:00Z");
            }
        }
    }
}
