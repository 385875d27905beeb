package com.mking.backup.restore;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.config.Settings;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobSpec;
import com.mking.backup.route.RestoreRoutes;
import com.mking.backup.source.RecoveryDrill;
import com.mking.backup.source.RestoreTestable;
import com.mking.backup.job.JobCatalog;
import java.util.Optional;
import com.mking.backup.source.RestoreRequest;
import org.apache.camel.ProducerTemplate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Restore tests: the newest restorable backup of a job is restored into a scratch target and checked, then the target
 * is removed. A source that is {@link RestoreTestable} names its scratch target and its check (pg-logical: a scratch
 * database and the job's {@code testQueries}; redis: a directory and a scratch redis-server whose key count must match;
 * git: a directory whose repositories must pass git fsck); a {@link RecoveryDrill} source (pg-physical) recovers its
 * archive into a scratch server and checks it itself.
 */
public final class RestoreTester {

    private final Catalog catalog;
    private final JobCatalog jobs;
    private final com.mking.backup.audit.AdvisoryLocks locks;
    private final ProducerTemplate producer;
    private final Settings settings;
    private final Clock clock;

    public RestoreTester(Catalog catalog, JobCatalog jobs, com.mking.backup.audit.AdvisoryLocks locks,
                         ProducerTemplate producer, Settings settings, Clock clock) {
        this.locks = locks;
        this.jobs = jobs;
        this.catalog = catalog;
        this.producer = producer;
        this.settings = settings;
        this.clock = clock;
    }

    /** The outcome of one restore test; read by the audit SQL. */
    public record Result(String job, String backupId, String store, boolean passed, String detail, Instant startedAt,
                         Instant finishedAt) {
    }

    /** A job whose source restores into a scratch target (RestoreTestable) or runs a recovery drill (RecoveryDrill). */
    public boolean isTestable(JobSpec job) {
        Optional<RestoreTestable> testable = jobs.capability(job, RestoreTestable.class);
        return testable.map(t -> t.testableHere(job)).orElse(false) || jobs.capability(job, RecoveryDrill.class).isPresent();
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
            // recorded against the store whose copy was read (a drill recovers from the first good copy, as restores do)
            Tested tested = testable.isPresent() ? testByRestore(job, newest, testable.get())
                    : new Tested(jobs.capability(job, RecoveryDrill.class).orElseThrow().drill(job, workDirectory()),
                    newest.copies().stream().filter(copy -> !copy.failedVerification()).map(CatalogEntry.Copy::store)
                            .findFirst().orElse(newest.storeNames().get(0)));
            return new Result(job.name(), newest.backupId(), tested.store(), true, tested.detail(), started, clock.instant());
        } catch (Exception e) {
            return new Result(job.name(), newest.backupId(), null, false, BackupRunner.describe(e), started, clock.instant());
        }
    }

    /** What a test found, and the store whose copy it read. */
    private record Tested(String detail, String store) {
    }

    /** The normal restore path into the source's scratch target, then the source's own check. */
    private Tested testByRestore(JobSpec job, CatalogEntry backup, RestoreTestable testable) throws Exception {
        com.mking.backup.source.RestoreTarget scratch = testable.scratch(job, workDirectory());
        try {
            RestoreTask task = new RestoreTask(new RestoreRequest(backup.backupId(), scratch, null, false, "restore-test"),
                    clock.instant());
            producer.send(RestoreRoutes.RESTORE, exchange -> exchange.setProperty(Restorer.TASK, task));
            if (!task.succeeded()) {
                throw new IOException("restore failed: " + task.error());
            }
            return new Tested(testable.check(job, scratch) + task.reachedValue(com.mking.backup.source.Source.REACHED_COMPARED)
                    .map(compared -> "; matches the backup's " + compared).orElse("")
                    + "; restored in " + task.getDurationSeconds() + " s", task.getStoreName());
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

}
