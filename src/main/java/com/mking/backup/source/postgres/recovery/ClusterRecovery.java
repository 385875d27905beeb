package com.mking.backup.source.postgres.recovery;

import com.mking.backup.restore.RestoreTask;
import com.mking.backup.restore.Restorer;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.postgres.PostgresRecovery;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalNames;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Point-in-time recovery of a pg-physical job into a data directory: plan (timeline, base backup,
 * gap-free WAL, a target the archive holds), serve WAL on a loopback port for the recovering server, and
 * run the restore route. Used by the {@code recover} command and by scheduled restore tests.
 */
public final class ClusterRecovery {

    /** How PostgreSQL is given the target time: explicit UTC offset, microseconds. */
    private static final DateTimeFormatter POSTGRES_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);

    private final RecoveryPlanner planner;
    private final WalArchive archive;
    private final ProducerTemplate producer;

    public ClusterRecovery(RecoveryPlanner planner, WalArchive archive, ProducerTemplate producer) {
        this.planner = planner;
        this.archive = archive;
        this.producer = producer;
    }

    /** What to recover, and how. */
    public record Request(String job, Path dataDir, RecoveryTarget target, TimelineChoice timeline, String backupId,
                          int port, String fromStore, boolean force, boolean promoteAsPrimary, String osUser,
                          String requestedBy) {
    }

    public record Outcome(RecoveryPlanner.Plan plan, RestoreTask task, Set<String> missingWal) {
    }

    /** Plans first (a gap or an unreachable target fails here, before anything is written). */
    public RecoveryPlanner.Plan plan(Request request) throws IOException {
        return planner.plan(request.job(), request.target(), request.timeline(), request.backupId(), request.fromStore());
    }

    public Outcome recover(Request request, RecoveryPlanner.Plan plan, java.util.function.Consumer<RestoreTask> started)
            throws IOException {
        try (WalFetchServer wal = new WalFetchServer(archive, request.job(), plan.store().name())) {
            Map<String, String> options = new LinkedHashMap<>();
            options.put(PostgresRecovery.RESTORE_COMMAND, wal.restoreCommand());
            options.put(PostgresRecovery.PORT, Integer.toString(request.port()));
            options.put(PostgresRecovery.TARGET_TIMELINE, Long.toString(plan.timeline()));
            options.put(PostgresRecovery.SEGMENT_SIZE, Long.toString(plan.segmentSize()));
            if (request.promoteAsPrimary()) {
                options.put(PostgresRecovery.PROMOTE_AS_PRIMARY, "true");
            }
            if (request.target() instanceof RecoveryTarget.Time time) {
                options.put(PostgresRecovery.TARGET_TIME, POSTGRES_TIME.format(time.instant()));
                options.put(RestoreTask.TARGET_INSTANT, time.instant().toString());
            } else if (request.target() instanceof RecoveryTarget.RestorePoint point) {
                options.put(PostgresRecovery.TARGET_NAME, point.name());
                plan.restorePoint().ifPresent(p -> options.put(RestoreTask.TARGET_INSTANT, p.time().toString()));
            } else if (plan.chain().newest() != null) {
                // replay must reach the end of the archive: its last segment, and its last transaction
                options.put(PostgresRecovery.EXPECTED_END_SEGMENT, Long.toString(
                        WalNames.parse(plan.chain().newest(), plan.segmentSize()).orElseThrow().number()));
                plan.archiveEndsAt().ifPresent(time -> options.put(PostgresRecovery.EXPECTED_LAST_TRANSACTION, time.toString()));
            }
            options.put(RestoreTask.RECOVERY_TARGET, request.target().describe() + ", timeline " + plan.timeline()
                    + (request.promoteAsPrimary() ? ", promoted as primary" : ""));
            if (request.osUser() != null) {
                options.put(PostgresRecovery.OS_USER, request.osUser());
            }
            RestoreRequest restore = new RestoreRequest(plan.base().backupId(), request.dataDir().toAbsolutePath().toString(),
                    plan.store().name(), request.force(), false, request.requestedBy(), options);
            RestoreTask task = new RestoreTask(restore, Instant.now());
            // a WAL file that could not be read back is why the server stopped: say that, not only its log
            task.explainFailure(wal::firstFailure);
            started.accept(task);
            producer.send(RestoreRoutes.RESTORE, exchange -> exchange.setProperty(Restorer.TASK, task));
            return new Outcome(plan, task, wal.missingSegments());
        }
    }
}
