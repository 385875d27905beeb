package com.mking.backup.cli;

import com.mking.backup.source.postgres.recovery.ClusterRecovery;
import com.mking.backup.source.postgres.recovery.RecoveryPlanner;
import com.mking.backup.source.postgres.recovery.RecoveryTarget;
import com.mking.backup.restore.RestoreTask;
import com.mking.backup.source.postgres.recovery.TargetTime;
import com.mking.backup.source.postgres.recovery.TimelineChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "recover", mixinStandardHelpOptions = true,
        description = "Point-in-time recovery of a pg-physical job into a new data directory: the newest base backup "
                + "that can reach the target, archived WAL replayed along the chosen timeline, the server started, "
                + "checked to have reached the target, and promoted. Runs without a daemon (on a DR host: "
                + "catalog-rebuild first).")
final class RecoverCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "JOB", description = "the pg-physical job")
    String job;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "new data directory (an existing non-empty one needs --force and is moved aside to DIR.corrupted.<timestamp>)")
    Path dataDir;

    @Option(names = "--time", paramLabel = "TIME", description = "recover to this moment, as PostgreSQL prints it "
            + "('2026-11-25 10:00:00.123456+00', SELECT now()) or ISO-8601 (2026-11-25T10:00:00Z); without a zone, "
            + "the local time zone (default: the end of the archived WAL)")
    String time;

    @Option(names = "--restore-point", paramLabel = "NAME", description = "recover to a point made with pg_create_restore_point()")
    String restorePoint;

    @Option(names = "--timeline", paramLabel = "latest|current|N", defaultValue = "latest",
            description = "timeline to follow: latest (default, as PostgreSQL), current (the base backup's) or a number")
    String timeline;

    @Option(names = "--backup-id", paramLabel = "ID", description = "start from this base backup (default: the newest that can reach the target)")
    String backupId;

    @Option(names = "--port", defaultValue = "5433", description = "port of the recovered server (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--from", paramLabel = "STORE", description = "store to read the base backup and WAL from")
    String fromStore;

    @Option(names = "--force", description = "move an existing non-empty data directory aside")
    boolean force;

    @Option(names = "--promote-as-primary", description = "a real failover: keep the cluster's archive settings, so the "
            + "new timeline is archived into the same job (default: a drill or scratch copy with archive_mode = off)")
    boolean promoteAsPrimary;

    @Option(names = "--os-user", paramLabel = "USER", description = "OS user that runs the recovered server (default: postgres when run as root)")
    String osUser;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "recorded in restore_tasks (default: the OS user)")
    String requestedBy = System.getProperty("user.name");

    @Override
    public Integer call() throws Exception {
        if (time != null && restorePoint != null) {
            throw new IllegalArgumentException("give --time or --restore-point, not both");
        }
        TimelineChoice timelineChoice = TimelineChoice.parse(timeline);
        RecoveryTarget target = new RecoveryTarget.Latest();
        if (time != null) {
            TargetTime parsed = TargetTime.parse(time, ZoneId.systemDefault());
            if (parsed.zoneAssumed()) {
                System.out.printf("--time has no zone: read as %s local time = %s UTC%n", parsed.zone(), parsed.instant());
            }
            target = new RecoveryTarget.Time(parsed.instant());
        } else if (restorePoint != null) {
            target = new RecoveryTarget.RestorePoint(restorePoint);
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--port " + port + " is in use (a recovered copy from before still running? "
                    + "stop it with pg_ctl -D ITS_DIR stop); choose another --port");
        }
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalArgumentException("--data-dir " + dataDir + " belongs to a running server (pid " + pid
                        + "); stop it first (pg_ctl -D " + dataDir + " stop): it is never moved aside while in use");
            }
        }
        if (Files.isDirectory(dataDir) && !force) {
            try (var entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--data-dir " + dataDir + " exists and is not empty; recover into a new "
                            + "directory, or add --force to move it aside as " + dataDir + ".corrupted.<timestamp>");
                }
            }
        }
        try (BackupRuntime runtime = parent.boot(false)) {
            if (runtime.jobs().find(job).isEmpty() && knownFromCatalogOnly(runtime)) {
                System.out.println("job " + job + " is not in the route files: recovering from what its backups' manifests record");
            } else {
                runtime.jobs().jobWith(job, com.mking.backup.source.ContinuousArchive.class);
            }
            if (fromStore != null) {
                runtime.bean(com.mking.backup.store.StoreRegistry.class).get(fromStore); // an unknown store is named (exit 2)
            }
            ClusterRecovery recovery = runtime.bean(ClusterRecovery.class);
            ClusterRecovery.Request request = new ClusterRecovery.Request(job, dataDir, target, timelineChoice, backupId, port,
                    fromStore, force, promoteAsPrimary, osUser, requestedBy);
            RecoveryPlanner.Plan plan = recovery.plan(request);
            System.out.printf("base backup %s (finished %s UTC) from store %s, timeline %d, WAL %s .. %s (%d segments)%n",
                    plan.base().backupId(), plan.base().endTime(), plan.store().name(), plan.timeline(), plan.chain().start(),
                    plan.chain().newest(), plan.chain().segments());
            plan.restorePoint().ifPresent(point -> System.out.printf("restore point '%s' at %s (%s)%n", point.name(),
                    point.lsn(), point.time()));
            AtomicReference<Progress> progress = new AtomicReference<>();
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
                System.out.printf("recovered job %s into %s to %s: server promoted on port %d, reached %s on timeline %s; RTO %d s%n",
                        job, dataDir, target.describe(), port, task.getReachedLsn(), task.getReachedTimeline(),
                        task.getDurationSeconds());
                System.out.printf("the server keeps running (stop it with: %spg_ctl -D %s stop)%n",
                        "root".equals(System.getProperty("user.name")) ? "runuser -u postgres -- " : "", dataDir);
                return MkingBackup.OK;
            }
            String missing = outcome.missingWal().isEmpty() ? ""
                    : " (WAL not in the archive: " + String.join(", ", outcome.missingWal()) + ")";
            System.err.println("recovery of job " + job + " failed: " + task.error() + missing);
            return MkingBackup.FAILED;
        }
    }

    /** A job the route files do not declare, whose base backups the catalog holds (imported, or a DR host's rebuilt catalog). */
    private boolean knownFromCatalogOnly(BackupRuntime runtime) {
        com.mking.backup.source.SourceRegistry sources = runtime.bean(com.mking.backup.source.SourceRegistry.class);
        return runtime.bean(com.mking.backup.audit.Catalog.class).list(job, null, "success", 1).stream()
                .anyMatch(entry -> sources.all().stream().anyMatch(source -> source.kind().equals(entry.source())
                        && source.capability(com.mking.backup.source.ContinuousArchive.class).isPresent()));
    }
}
