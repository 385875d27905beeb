package com.mking.backup.source.postgres.recovery;

import com.mking.backup.job.JobSpec;
import com.mking.backup.source.RecoveryDrill;
import com.mking.backup.source.RestoreDirectory;
import com.mking.backup.source.postgres.ClusterTarget;
import com.mking.backup.source.postgres.PostgresConnections;
import com.mking.backup.source.postgres.PostgresRecovery;
import com.mking.backup.restore.CheckQueries;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * pg-physical's restore test: the newest base backup and all archived WAL recovered to the end as a scratch cluster on
 * a free loopback port (archiving off), the job's {@code testQueries} run against it, the cluster stopped and removed.
 */
public final class ClusterDrill implements RecoveryDrill {

    private final ClusterRecovery recovery;
    private final PostgresRecovery servers;
    private final CheckQueries checkQueries;

    public ClusterDrill(ClusterRecovery recovery, PostgresRecovery servers, CheckQueries checkQueries) {
        this.recovery = recovery;
        this.servers = servers;
        this.checkQueries = checkQueries;
    }

    @Override
    public String drill(JobSpec job, Path workDirectory) throws Exception {
        Path dataDir = workDirectory.resolve(job.name());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ClusterRecovery.Request request = new ClusterRecovery.Request(job.name(), dataDir, new RecoveryTarget.Latest(),
                TimelineChoice.LATEST, null, port, null, true, false, null, "restore-test");
        ClusterRecovery.Outcome outcome = null;
        try {
            outcome = recovery.recover(request, recovery.plan(request), task -> { });
            if (!outcome.task().succeeded()) {
                throw new IOException("recovery failed: " + outcome.task().error());
            }
            return checkQueries.run(job.parameter("testQueries", "SELECT 1"),
                    PostgresConnections.dataSource(job, job.parameter("testDatabase", "postgres"), port))
                    + "; recovered in " + outcome.task().getDurationSeconds() + " s";
        } finally {
            if (outcome != null) {
                servers.stopQuietly((ClusterTarget) outcome.task().request().target());
            }
            RestoreDirectory.deleteTree(dataDir);
            try (var leftovers = Files.list(workDirectory)) {
                for (Path path : leftovers.filter(p -> p.getFileName().toString().startsWith(job.name() + ".corrupted.")).toList()) {
                    RestoreDirectory.deleteTree(path);
                }
            }
        }
    }
}
