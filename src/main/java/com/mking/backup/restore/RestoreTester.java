package com.mking.backup.restore;

import com.mking.backup.source.postgres.recovery.ClusterRecovery;
import com.mking.backup.source.postgres.recovery.RecoveryTarget;
import com.mking.backup.source.postgres.recovery.TimelineChoice;
import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.config.Settings;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobSpec;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.postgres.PostgresConnections;
import com.mking.backup.source.postgres.PostgresRecovery;
import com.mking.backup.source.RestoreRequest;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Restore tests: the newest restorable backup of a database job is restored into a scratch target (a
 * scratch database for pg-logical, a scratch cluster on a free port for pg-physical) and checked with
 * the job's {@code testQueries} (semicolon-separated; each must answer true or a number above 0, as
 * the plan's {@code SELECT COUNT(*) FROM users}). The scratch target is removed afterwards.
 */
public final class RestoreTester {

    private final Catalog catalog;
    private final ClusterRecovery recovery;
    private final ProducerTemplate producer;
    private final Settings settings;
    private final Clock clock;

    public RestoreTester(Catalog catalog, ClusterRecovery recovery, ProducerTemplate producer, Settings settings, Clock clock) {
        this.catalog = catalog;
        this.recovery = recovery;
        this.producer = producer;
        this.settings = settings;
        this.clock = clock;
    }

    /** The outcome of one restore test; read by the audit SQL. */
    public record Result(String job, String backupId, String store, boolean passed, String detail, Instant startedAt,
                         Instant finishedAt) {
    }

    public static boolean isTestable(JobSpec job) {
        return job.source().equals("pg-logical") || job.source().equals("pg-physical");
    }

    public Result test(JobSpec job) {
        Instant started = clock.instant();
        List<CatalogEntry> restorable = catalog.restorable(job.name());
        if (restorable.isEmpty()) {
            return new Result(job.name(), null, null, false, "no restorable backup to test", started, clock.instant());
        }
        CatalogEntry newest = restorable.get(0);
        try {
            String detail = job.source().equals("pg-logical") ? testLogical(job, newest) : testPhysical(job);
            return new Result(job.name(), newest.backupId(), newest.storeNames().get(0), true, detail, started, clock.instant());
        } catch (Exception e) {
            return new Result(job.name(), newest.backupId(), null, false, BackupRunner.describe(e), started, clock.instant());
        }
    }

    private String testLogical(JobSpec job, CatalogEntry backup) throws Exception {
        String scratch = job.name().replaceAll("[^A-Za-z0-9_]", "_") + "_mking_restore_test";
        dropDatabase(job, scratch);
        try {
            RestoreTask task = new RestoreTask(new RestoreRequest(backup.backupId(), scratch, null, false, true, "restore-test",
                    Map.of()), clock.instant());
            producer.send(RestoreRoutes.RESTORE, exchange -> exchange.setProperty(Restorer.TASK, task));
            if (!task.succeeded()) {
                throw new IOException("restore failed: " + task.error());
            }
            try (Connection connection = PostgresConnections.open(job, scratch)) {
                return runQueries(job, connection) + "; restored in " + task.getDurationSeconds() + " s";
            }
        } finally {
            dropDatabase(job, scratch);
        }
    }

    private String testPhysical(JobSpec job) throws Exception {
        // the server runs as the postgres user, which must be able to reach the directory: not under a private home
        Path parent = Path.of(settings.get("mking.restore-test.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "mking-restore-tests").toString()));
        Files.createDirectories(parent);
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = parent.resolve(job.name());
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
            Properties properties = new Properties();
            properties.setProperty("user", job.parameter("user", "postgres"));
            PostgresConnections.password(job).ifPresent(password -> properties.setProperty("password", password));
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/"
                    + job.parameter("testDatabase", "postgres"), properties)) {
                return runQueries(job, connection) + "; recovered in " + outcome.task().getDurationSeconds() + " s";
            }
        } finally {
            if (outcome != null) {
                new PostgresRecovery(settings.get("mking.tools.postgresql-bin", "")).stopQuietly(dataDir,
                        outcome.task().request());
            }
            deleteTree(dataDir);
            try (var leftovers = Files.list(parent)) {
                for (Path path : leftovers.filter(p -> p.getFileName().toString().startsWith(job.name() + ".corrupted.")).toList()) {
                    deleteTree(path);
                }
            }
        }
    }

    private static String runQueries(JobSpec job, Connection connection) throws SQLException, IOException {
        List<String> passed = new ArrayList<>();
        for (String query : job.parameter("testQueries", "SELECT 1").split(";")) {
            if (query.isBlank()) {
                continue;
            }
            try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(query.trim())) {
                String value = row.next() ? row.getString(1) : null;
                boolean ok = value != null && (value.equals("t") || value.equals("true") || isPositive(value));
                if (!ok) {
                    throw new IOException("check failed: " + query.trim() + " returned " + value);
                }
                passed.add(query.trim() + " = " + value);
            }
        }
        return String.join("; ", passed);
    }

    private static boolean isPositive(String value) {
        try {
            return Double.parseDouble(value) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void dropDatabase(JobSpec job, String database) throws SQLException {
        try (Connection connection = PostgresConnections.open(job, "postgres"); Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            statement.execute("DROP DATABASE IF EXISTS \"" + database + "__mking_restoring\" WITH (FORCE)");
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        com.mking.backup.source.RestoreDirectory.deleteTree(directory);
    }
}
