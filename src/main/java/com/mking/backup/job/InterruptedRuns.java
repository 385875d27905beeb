package com.mking.backup.job;

import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.restore.Restorer;
import com.mking.backup.route.AlertRoutes;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.source.postgres.wal.WalArchive;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds runs whose process died (killed, crashed, its node gone, or cut off from the audit database) and
 * ends them truthfully: a backup row still {@code running} while nobody holds its job's lock is marked
 * {@code aborted} with the reason, whatever it left in the stores (objects under its prefix, temporary
 * files, unfinished multipart uploads) is removed, and an alert is raised. The same for restores (their
 * lock is per task) and for WAL pushes that died before publishing. Runs on daemon start and with every
 * monitoring pass.
 */
public final class InterruptedRuns {

    public static final String RUNNING_EXECUTIONS = "direct:running-executions";
    public static final String EXECUTION_ABORTED = "direct:execution-aborted";
    public static final String RUNNING_RESTORES = "direct:running-restores";
    public static final String RESTORE_ABORTED = "direct:restore-aborted";
    /** Unfinished WAL pushes younger than this may still be running (a slow upload); older ones are dead. */
    private static final Duration WAL_PUSH_GRACE = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedRuns.class);

    private final Path decodedCopies;
    private final JobCatalog jobs;
    private final StoreRegistry stores;
    private final AdvisoryLocks locks;
    private final WalArchive wal;
    private final ProducerTemplate producer;
    private final Clock clock;
    private volatile Instant walSweptAt = Instant.MIN;

    /** @param decodedCopies where restores decode copies (an aborted restore's plaintext is removed from there) */
    public InterruptedRuns(JobCatalog jobs, StoreRegistry stores, AdvisoryLocks locks, WalArchive wal, ProducerTemplate producer,
                           Clock clock, Path decodedCopies) {
        this.decodedCopies = decodedCopies;
        this.jobs = jobs;
        this.stores = stores;
        this.locks = locks;
        this.wal = wal;
        this.producer = producer;
        this.clock = clock;
    }

    /** A run found dead and closed. */
    /** @param what "backup ID of job JOB" or "restore task N of backup ID" */
    public record Aborted(String what, String reason, int leftoversRemoved) {
    }

    public List<Aborted> sweep() {
        List<Aborted> aborted = new ArrayList<>();
        aborted.addAll(sweepBackups());
        aborted.addAll(sweepRestores());
        sweepWalPushes();
        return aborted;
    }

    private List<Aborted> sweepBackups() {
        List<?> rows = producer.requestBody(RUNNING_EXECUTIONS, null, List.class);
        Map<String, List<Map<?, ?>>> byJob = new LinkedHashMap<>();
        rows.forEach(row -> byJob.computeIfAbsent((String) ((Map<?, ?>) row).get("job_name"), j -> new ArrayList<>())
                .add((Map<?, ?>) row));
        List<Aborted> aborted = new ArrayList<>();
        for (Map.Entry<String, List<Map<?, ?>>> job : byJob.entrySet()) {
            // a live run holds its job's lock for its whole life; when we can take it, every running row is dead
            Optional<AdvisoryLocks.Lock> lock = tryLock(AdvisoryLocks.job(job.getKey()));
            if (lock.isEmpty()) {
                continue;
            }
            try (AdvisoryLocks.Lock ignored = lock.get()) {
                for (Map<?, ?> row : job.getValue()) {
                    aborted.add(abortBackup(job.getKey(), row));
                }
            }
        }
        return aborted;
    }

    /**
     * The job's runs still marked running, for a caller that holds the job's lock and has not recorded its own run yet:
     * every one of them is dead. Best effort: the run goes on whatever happens here.
     */
    public List<Aborted> sweepHeld(String job) {
        List<Aborted> aborted = new ArrayList<>();
        try {
            for (Object row : producer.requestBody(RUNNING_EXECUTIONS, null, List.class)) {
                if (job.equals(((Map<?, ?>) row).get("job_name"))) {
                    aborted.add(abortBackup(job, (Map<?, ?>) row));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("could not look for interrupted runs of job {}: {}", job, e.getMessage());
        }
        return aborted;
    }

    private Aborted abortBackup(String job, Map<?, ?> row) {
        String backupId = (String) row.get("backup_id");
        Instant started = ((Timestamp) row.get("start_time")).toLocalDateTime().toInstant(ZoneOffset.UTC);
        String reason = "aborted: the process running it (" + row.get("process_id") + ") ended without finishing it "
                + "(killed, crashed, its host went down, or it lost the audit database); found " + clock.instant();
        int removed = removeLeftovers(job, BackupRun.keyPrefix(job, started, backupId));
        producer.sendBodyAndHeaders(EXECUTION_ABORTED, null, Map.of("backupId", backupId, "reason", reason));
        LOG.error("backup {} of job {} {}; {} leftovers removed from its stores", backupId, job, reason, removed);
        alert("backup-failed:" + job, "backup " + backupId + " of job " + job + " was aborted", reason);
        return new Aborted("backup " + backupId + " of job " + job, reason, removed);
    }

    /** Everything under the run's prefix, in every store the job may have written to: manifests first. */
    private int removeLeftovers(String job, String prefix) {
        int removed = 0;
        List<String> storeNames = jobs.find(job).map(JobSpec::stores).orElse(stores.names());
        for (String name : storeNames) {
            if (!stores.contains(name)) {
                continue;
            }
            Store store = stores.get(name);
            if (store.appendOnly()) { // cannot delete: its privileged configuration sweeps it
                continue;
            }
            try {
                List<String> keys = new ArrayList<>(store.list(prefix));
                keys.sort(Comparator.comparing(key -> !key.endsWith(Manifest.FILE_NAME)));
                for (String key : keys) {
                    store.delete(key);
                    removed++;
                }
                removed += store.removeIncomplete(prefix, clock.instant());
                // a files job's packs are written outside the run's prefix; the job's lock is held here, so none of its
                // runs is writing one now (other jobs have no such directory)
                removed += store.removeIncomplete(job + "/packs/", clock.instant());
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not remove what an aborted run left under {} in store '{}': {}", prefix, name, e.getMessage());
            }
        }
        return removed;
    }

    private List<Aborted> sweepRestores() {
        List<Aborted> aborted = new ArrayList<>();
        for (Object item : producer.requestBody(RUNNING_RESTORES, null, List.class)) {
            Map<?, ?> row = (Map<?, ?>) item;
            String id = String.valueOf(row.get("id"));
            Optional<AdvisoryLocks.Lock> lock = tryLock("restore/" + id);
            if (lock.isEmpty()) {
                continue;
            }
            try (AdvisoryLocks.Lock ignored = lock.get()) {
                String reason = "aborted: the process running it (" + row.get("process_id") + ") ended without finishing it; "
                        + "check the target " + row.get("target_path") + " before using it";
                Map<String, Object> headers = new HashMap<>();
                headers.put("taskId", row.get("id"));
                headers.put("reason", reason);
                producer.sendBodyAndHeaders(RESTORE_ABORTED, null, headers);
                LOG.error("restore task {} of backup {} {}", id, row.get("backup_id"), reason);
                alert("restore-failed:" + row.get("target_path"), "restore of backup " + row.get("backup_id") + " was aborted",
                        reason);
                aborted.add(new Aborted("restore task " + id + " of backup " + row.get("backup_id"), reason, 0));
                Path decoded = Restorer.decodedCopy(decodedCopies, id);
                try {
                    Files.deleteIfExists(decoded);
                } catch (IOException e) {
                    LOG.warn("could not remove {} (the plaintext of an aborted restore): {}; remove it", decoded, e.getMessage());
                }
                removeScratchDirectory(String.valueOf(row.get("target_path")));
            }
        }
        return aborted;
    }

    /** The half-written directory of an aborted restore into a directory (decrypted data): the target is left as it was. */
    private static void removeScratchDirectory(String target) {
        if (target == null || !target.startsWith("/")) {
            return; // a database name, or a path this process cannot place
        }
        Path directory = Path.of(target).normalize();
        for (Path scratch : List.of(com.mking.backup.source.RestoreDirectory.scratchOf(directory),
                com.mking.backup.source.RestoreDirectory.scratchInside(directory))) {
            removeScratch(scratch);
        }
    }

    private static void removeScratch(Path scratch) {
        if (Files.isDirectory(scratch, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                com.mking.backup.source.RestoreDirectory.deleteTree(scratch);
                LOG.info("removed {}, left by the aborted restore", scratch);
            } catch (IOException e) {
                LOG.warn("could not remove {} (decrypted data of an aborted restore): {}; remove it", scratch, e.getMessage());
            }
        }
    }

    /**
     * WAL pushes that died between writing their data and publishing it: their data and temporary files. It
     * lists whole archives, so it runs at start and then hourly, not with every pass.
     */
    private void sweepWalPushes() {
        if (clock.instant().isBefore(walSweptAt.plus(WAL_PUSH_GRACE))) {
            return;
        }
        walSweptAt = clock.instant();
        Instant cutoff = clock.instant().minus(WAL_PUSH_GRACE);
        for (JobSpec job : jobs.jobs()) {
            if (jobs.capability(job, com.mking.backup.source.ContinuousArchive.class).isEmpty()) {
                continue;
            }
            for (String name : job.stores()) {
                try {
                    Store store = stores.get(name);
                    if (store.appendOnly()) {
                        continue;
                    }
                    int removed = wal.sweepOrphans(job.name(), store, WAL_PUSH_GRACE)
                            + store.removeIncomplete(WalArchive.prefix(job.name()), cutoff);
                    if (removed > 0) {
                        LOG.warn("removed {} leftovers of interrupted WAL pushes of job {} from store '{}'", removed, job.name(), name);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not sweep interrupted WAL pushes of job {} in store '{}': {}", job.name(), name, e.getMessage());
                }
            }
        }
    }

    private Optional<AdvisoryLocks.Lock> tryLock(String name) {
        try {
            return locks.tryLock(name);
        } catch (SQLException e) {
            LOG.warn("cannot check lock {}: {}", name, e.getMessage());
            return Optional.empty();
        }
    }

    private void alert(String condition, String subject, String detail) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(AlertRoutes.CONDITION, condition);
        headers.put(AlertRoutes.LEVEL, "DANGER");
        headers.put(AlertRoutes.SUBJECT, subject);
        headers.put(AlertRoutes.DETAIL, detail);
        producer.sendBodyAndHeaders(AlertRoutes.ALERT, null, headers);
    }
}
