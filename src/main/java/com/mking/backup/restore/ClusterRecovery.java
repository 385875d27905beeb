package com.mking.backup.restore;

import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.PostgresRecovery;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.wal.WalArchive;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Point-in-time recovery of a pg-physical job into a data directory: plan (base backup + gap-free WAL),
 * serve WAL on a loopback port for the recovering server, and run the restore route. Used by the
 * {@code recover} command and by scheduled restore tests.
 */
public final class ClusterRecovery {

    private final RecoveryPlanner planner;
    private final WalArchive archive;
    private final ProducerTemplate producer;

    public ClusterRecovery(RecoveryPlanner planner, WalArchive archive, ProducerTemplate producer) {
        this.planner = planner;
        this.archive = archive;
        this.producer = producer;
    }

    /** What to recover: the target is a time (with its text for PostgreSQL), a restore point, or the latest. */
    public record Request(String job, Path dataDir, Optional<Instant> targetTime, String targetText, String restorePoint,
                          int port, String fromStore, boolean force, String osUser, String requestedBy) {
    }

    public record Outcome(RecoveryPlanner.Plan plan, RestoreTask task, Set<String> missingWal) {
    }

    /** Plans first (a gap fails here, before anything is written); the task in the outcome says how it went. */
    public RecoveryPlanner.Plan plan(Request request) throws IOException {
        return planner.plan(request.job(), request.targetTime(), request.fromStore());
    }

    public Outcome recover(Request request, RecoveryPlanner.Plan plan, java.util.function.Consumer<RestoreTask> started)
            throws IOException {
        try (WalFetchServer wal = new WalFetchServer(archive, request.job(), plan.store().name())) {
            Map<String, String> options = new LinkedHashMap<>();
            options.put(PostgresRecovery.RESTORE_COMMAND, wal.restoreCommand());
            options.put(PostgresRecovery.PORT, Integer.toString(request.port()));
            request.targetTime().ifPresent(time -> {
                options.put(PostgresRecovery.TARGET_TIME, request.targetText());
                options.put("targetInstant", time.toString());
            });
            if (request.restorePoint() != null) {
                options.put(PostgresRecovery.TARGET_NAME, request.restorePoint());
            }
            if (request.osUser() != null) {
                options.put(PostgresRecovery.OS_USER, request.osUser());
            }
            RestoreRequest restore = new RestoreRequest(plan.base().backupId(), request.dataDir().toAbsolutePath().toString(),
                    plan.store().name(), request.force(), false, request.requestedBy(), options);
            RestoreTask task = new RestoreTask(restore, Instant.now());
            started.accept(task);
            producer.send(RestoreRoutes.RESTORE, exchange -> exchange.setProperty(Restorer.TASK, task));
            return new Outcome(plan, task, wal.missingSegments());
        }
    }
}
