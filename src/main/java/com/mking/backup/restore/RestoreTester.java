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
import com.mking.backup.source.postgres.TestQueries;
import com.mking.backup.source.ContinuousArchive;
import com.mking.backup.source.RestoreTestable;
import com.mking.backup.job.JobCatalog;
import java.util.Optional;
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
 * Restore tests: the newest restorable backup of a job is restored into a scratch target and checked, then the target
 * is removed. A source that is {@link RestoreTestable} names its scratch target and its check (pg-logical: a scratch
 * database and the job's {@code testQueries}; redis: a directory and a scratch redis-server whose key count must match;
 * git: a directory whose repositories must pass git fsck); a {@link ContinuousArchive} source (pg-physical) is
 * recovered as a scratch cluster on a free port and checked with {@code testQueries}.
 */
public final class RestoreTester {

    private final Catalog catalog;
    private final JobCatalog jobs;
    private final com.mking.backup.audit.AdvisoryLocks locks;
    private final ClusterRecovery recovery;
    private final ProducerTemplate producer;
    private final Settings settings;
    private final Clock clock;

    public RestoreTester(Catalog catalog, JobCatalog jobs, com.mking.backup.audit.AdvisoryLocks locks, ClusterRecovery recovery,
                         ProducerTemplate producer, Settings settings, Clock clock) {
        this.locks = locks;
        this.jobs = jobs;
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

    /** A job whose source restores into a scratch target (RestoreTestable), or recovers a cluster (ContinuousArchive). */
    public boolean isTestable(JobSpec job) {
        Optional<RestoreTestable> testable = jobs.capability(job, RestoreTestable.class);
        return testable.map(t -> t.testableHere(job)).orElse(false) || jobs.capability(job, ContinuousArchive.class).isPresent();
    }

    public Result test(JobSpec job) {
        Instant started = clock.instant();
        List<CatalogEntry> restorable = catalog.restorable(job.name());
        if (restorable.isEmpty()) {
            return new Result(job.name(), null, null, false, "no restorable backup to test", started, clock.instant());
        }
        CatalogEntry newest = restorable.get(0);
        // one test of a job at a time (the daemon's schedule and a command): they would share the scratch target
        try (com.mking.backup.audit.AdvisoryLocks.Lock lock = locks.tryLock("restore-test/" + job.name()).orElse(null)) {
            if (lock == null) {
                return new Result(job.name(), newest.backupId(), null, false, "another restore test of job " + job.name()
                        + " is running", started, clock.instant());
            }
            Optional<RestoreTestable> testable = jobs.capability(job, RestoreTestable.class);
            String detail = testable.isPresent() ? testByRestore(job, newest, testable.get()) : testPhysical(job);
            return new Result(job.name(), newest.backupId(), newest.storeNames().get(0), true, detail, started, clock.instant());
        } catch (Exception e) {
            return new Result(job.name(), newest.backupId(), null, false, BackupRunner.describe(e), started, clock.instant());
        }
    }

    /** The normal restore path into the source's scratch target, then the source's own check. */
    private String testByRestore(JobSpec job, CatalogEntry backup, RestoreTestable testable) throws Exception {
        RestoreTestable.Scratch scratch = testable.scratch(job, workDirectory());
        try {
            RestoreTask task = new RestoreTask(new RestoreRequest(backup.backupId(), scratch.target(), null, false, true,
                    "restore-test", scratch.options()), clock.instant());
            producer.send(RestoreRoutes.RESTORE, exchange -> exchange.setProperty(Restorer.TASK, task));
            if (!task.succeeded()) {
                throw new IOException("restore failed: " + task.error());
            }
            return testable.check(job, scratch) + "; restored in " + task.getDurationSeconds() + " s";
        } finally {
            testable.cleanUp(job, scratch);
        }
    }

    /** Where scratch targets live: servers run as other users (postgres) must reach it, so not under a private home. */
    private Path workDirectory() throws IOException {
        Path parent = Path.of(settings.get("mking.restore-test.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "mking-restore-tests").toString()));
        Files.createDirectories(parent);
        try {
            Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) { // another user's directory: it is usable as it is, or the test says why not
            org.slf4j.LoggerFactory.getLogger(RestoreTester.class).debug("{}: {}", parent, e.getMessage());
        }
        return parent;
    }

    private String testPhysical(JobSpec job) throws Exception {
        Path parent = workDirectory();
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
                return TestQueries.run(job, connection) + "; recovered in " + outcome.task().getDurationSeconds() + " s";
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

    private static void deleteTree(Path directory) throws IOException {
        com.mking.backup.source.RestoreDirectory.deleteTree(directory);
    }
}
