package com.mking.backup.source.postgres.recovery;

import com.mking.backup.restore.RestoreTask;
import com.mking.backup.restore.Restorer;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.postgres.PostgresRecovery;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.postgres.ClusterTarget;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalNames;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
            String targetTime = null;
            String targetName = null;
            Instant targetInstant = null;
            Long expectedEndSegment = null;
            Instant expectedLastTransaction = null;
            if (request.target() instanceof RecoveryTarget.Time time) {
                targetTime = POSTGRES_TIME.format(time.instant());
                targetInstant = time.instant();
            } else if (request.target() instanceof RecoveryTarget.RestorePoint point) {
                targetName = point.name();
                targetInstant = plan.restorePoint().map(recorded -> recorded.time()).orElse(null);
            } else if (plan.chain().newest() != null) {
                // replay must reach the end of the archive: its last segment, and its last transaction
                expectedEndSegment = WalNames.parse(plan.chain().newest(), plan.segmentSize()).orElseThrow().number();
                expectedLastTransaction = plan.archiveEndsAt().orElse(null);
            }
            ClusterTarget target = new ClusterTarget(request.dataDir(), request.port(), request.promoteAsPrimary(),
                    request.osUser(), wal.restoreCommand(), targetTime, targetName, targetInstant, plan.timeline(),
                    plan.segmentSize(), expectedEndSegment, expectedLastTransaction, request.target().describe()
                    + ", timeline " + plan.timeline() + (request.promoteAsPrimary() ? ", promoted as primary" : ""));
            RestoreRequest restore = new RestoreRequest(plan.base().backupId(), target, plan.store().name(), request.force(),
                    request.requestedBy());
            RestoreTask task = new RestoreTask(restore, Instant.now());
            // a WAL file that could not be read back is why the server stopped: say that, not only its log
            task.explainFailure(wal::firstFailure);
            started.accept(task);
            producer.send(RestoreRoutes.RESTORE, exchange -> exchange.setProperty(Restorer.TASK, task));
            return new Outcome(plan, task, wal.missingSegments());
        }
    }
}
