package com.mking.backup.restore;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.exec.RunningTool;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.ProgressInputStream;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.source.RestoreRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The steps of the {@code restore} route. A restore reads one stored copy, checks its SHA-256 against
 * the manifest before any tool sees a byte, then streams the decoded data into the source's restore
 * tool. The backup is found through the audit catalog, or, when the audit database lost it, by its
 * manifest in the stores.
 */
public final class Restorer {

    public static final String TASK = "restore";

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

    private final Catalog catalog;
    private final JobCatalog jobs;
    private final SourceRegistry sources;
    private final StoreRegistry stores;
    private final ArtefactReader reader;
    private final AdvisoryLocks locks;
    private final Clock clock;

    public Restorer(Catalog catalog, JobCatalog jobs, SourceRegistry sources, StoreRegistry stores, ArtefactReader reader,
                    AdvisoryLocks locks, Clock clock) {
        this.locks = locks;
        this.catalog = catalog;
        this.jobs = jobs;
        this.sources = sources;
        this.stores = stores;
        this.reader = reader;
        this.clock = clock;
    }

    public static RestoreTask task(Exchange exchange) {
        return exchange.getProperty(TASK, RestoreTask.class);
    }

    /**
     * Takes the task's lock for the whole restore: while it is held the task is alive; a task whose lock is
     * free while its row says running belonged to a process that died (see InterruptedRuns).
     */
    public void begin(Exchange exchange) throws java.sql.SQLException {
        RestoreTask task = task(exchange);
        task.lock(locks.tryLock("restore/" + task.getTaskId()).orElse(null));
    }

    /** Releases the task's lock once its outcome is recorded; always the last step. */
    public void finish(Exchange exchange) {
        RestoreTask task = task(exchange);
        if (task != null) {
            task.releaseLock();
        }
    }

    /** Finds the backup, picks the store to read from and loads its manifest. */
    public void locate(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        String backupId = task.request().backupId();
        Optional<CatalogEntry> entry = catalog.find(backupId);
        String manifestKey;
        Store store;
        if (entry.isPresent() && !entry.get().copies().isEmpty()) {
            if (!"success".equals(entry.get().status())) {
                throw new IOException("backup " + backupId + " has status '" + entry.get().status() + "'; only successful backups can be restored");
            }
            CatalogEntry.Copy copy = pickCopy(entry.get(), task.request().fromStore());
            store = stores.get(copy.store());
            manifestKey = copy.manifestKey();
        } else {
            Map.Entry<Store, String> found = findManifestInStores(backupId, task.request().fromStore());
            store = found.getKey();
            manifestKey = found.getValue();
            LOG.warn("backup {} is not in the audit catalog; restoring from its manifest in store '{}'", backupId, store.name());
        }
        Manifest manifest = Manifest.read(store.get(manifestKey));
        String dataKey = manifestKey.substring(0, manifestKey.length() - Manifest.FILE_NAME.length())
                + manifest.artefact().storedName();
        JobSpec job = targetJob(manifest, task.request());
        task.located(job, store, dataKey, manifest);
        LOG.info("restoring backup {} of job {} from store '{}' into '{}'", backupId, manifest.job(), store.name(),
                task.request().target());
    }

    /** Restore options that point the restore at another server than the job's (a DR host). */
    public static final java.util.List<String> TARGET_SERVER_OPTIONS = java.util.List.of("host", "port", "user", "passwordEnv",
            "passwordFile");

    /** The job as the restore sees it: from the route files (or the manifest), pointed at the requested server. */
    public JobSpec targetJob(Manifest manifest, RestoreRequest request) {
        JobSpec job = jobs.find(manifest.job()).orElseGet(() -> jobFromManifest(manifest));
        Map<String, String> server = new HashMap<>();
        TARGET_SERVER_OPTIONS.forEach(option -> {
            if (request.options().containsKey(option)) {
                server.put(option, request.options().get(option));
            }
        });
        if (server.containsKey("passwordEnv") || server.containsKey("passwordFile")) {
            server.putIfAbsent("passwordEnv", "");
            server.putIfAbsent("passwordFile", "");
        }
        return server.isEmpty() ? job : job.with(server);
    }

    /**
     * Everything an operator can get wrong, checked before a restore starts (exit 2, no alert): the backup
     * exists and succeeded, the store is configured and holds a copy, the target can take it. Returns the
     * manifest and the job the restore will use.
     */
    public Map.Entry<Manifest, JobSpec> preflight(RestoreRequest request) throws IOException {
        String backupId = request.backupId();
        if (request.fromStore() != null) {
            stores.get(request.fromStore()); // names the configured stores when unknown
        }
        Optional<CatalogEntry> entry = catalog.find(backupId);
        Manifest manifest;
        if (entry.isPresent() && !"success".equals(entry.get().status())) {
            throw new IllegalArgumentException("backup " + backupId + " has status '" + entry.get().status()
                    + "'; only successful backups can be restored ('mking-backup list --job " + entry.get().job()
                    + " --status success')");
        }
        if (entry.isPresent() && !entry.get().copies().isEmpty()) {
            CatalogEntry.Copy copy;
            try {
                copy = pickCopy(entry.get(), request.fromStore());
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            manifest = Manifest.read(stores.get(copy.store()).get(copy.manifestKey()));
        } else {
            Map.Entry<Store, String> found;
            try {
                found = findManifestInStores(backupId, request.fromStore());
            } catch (FileNotFoundException e) {
                String hint = catalog.list(null, null, null, 1).isEmpty() ? "; the catalog is empty: on a new host run "
                        + "'mking-backup catalog-rebuild' first" : "; 'mking-backup list' shows the backups";
                throw new IllegalArgumentException("no backup " + backupId + " in the catalog or the stores" + hint);
            }
            manifest = Manifest.read(found.getKey().get(found.getValue()));
        }
        if ("pg-physical".equals(manifest.source())) {
            throw new IllegalArgumentException("backup " + backupId + " is a pg-physical base backup: restore it with "
                    + "'mking-backup recover " + manifest.job() + " --data-dir DIR --backup-id " + backupId + "'");
        }
        JobSpec job = targetJob(manifest, request);
        sources.get(manifest.source()).checkRestoreTarget(job, request);
        return Map.entry(manifest, job);
    }

    /** Reads the whole stored copy and compares it with the manifest before anything is restored. */
    public void verify(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        reader.verifyStored(task.store(), task.dataKey(), task.manifest().artefact());
        task.markChecksumVerified();
    }

    /** Prepares the target, then puts the decoded stream in the body and the restore command in headers. */
    public void prepareRestore(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        Source source = sources.get(task.manifest().source());
        // opening first checks the key, so a wrong key fails before the target is touched
        InputStream raw = new ProgressInputStream(
                reader.openRaw(task.store(), task.dataKey(), task.manifest(), task.manifest().artefact()), task.progress());
        try {
            source.prepareRestoreTarget(task.job(), task.request());
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
        task.targetPrepared(true);
        ToolCommand command = source.restoreCommand(task.job(), task.manifest(), task.request());
        exchange.getMessage().setBody(raw);
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, command.executable());
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, command.args());
    }

    /** Waits for the restore tool; then moves the restored data into place. */
    public void complete(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        RunningTool tool = exchange.getMessage().getBody(RunningTool.class);
        task.tool(tool);
        tool.awaitSuccess();
        task.reached(sources.get(task.manifest().source()).finishRestore(task.job(), task.request(), true));
        task.succeeded(clock.instant());
        LOG.info("restore of backup {} into '{}' succeeded in {} s", task.getBackupId(), task.getTarget(),
                task.getDurationSeconds());
    }

    /** Error handler step: stops the tool, removes the half-restored scratch target, records the error. */
    public void fail(Exchange exchange) {
        RestoreTask task = task(exchange);
        String message = BackupRunner.describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        if (task == null) {
            LOG.error("restore could not start: {}", message);
            return;
        }
        if (task.tool() != null) {
            task.tool().kill();
        }
        if (task.targetPrepared()) {
            try {
                sources.get(task.manifest().source()).finishRestore(task.job(), task.request(), false);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not clean up after the failed restore: {}", e.getMessage());
            }
        }
        String explained = task.failureExplanation().map(cause -> cause + " (" + message + ")").orElse(message);
        task.failed(explained, clock.instant());
        LOG.error("restore of backup {} failed: {}", task.getBackupId(), explained);
    }

    private CatalogEntry.Copy pickCopy(CatalogEntry entry, String fromStore) throws IOException {
        if (fromStore != null) {
            return entry.copies().stream().filter(c -> c.store().equals(fromStore)).findFirst()
                    .orElseThrow(() -> new IOException("backup " + entry.backupId() + " has no copy in store '" + fromStore
                            + "'; it has copies in " + entry.storeNames()));
        }
        for (String name : stores.names()) {
            for (CatalogEntry.Copy copy : entry.copies()) {
                if (copy.store().equals(name)) {
                    return copy;
                }
            }
        }
        throw new IOException("backup " + entry.backupId() + " has copies in " + entry.storeNames()
                + " but none of those stores is configured (mking.stores)");
    }

    private Map.Entry<Store, String> findManifestInStores(String backupId, String fromStore) throws IOException {
        List<String> candidates = fromStore == null ? stores.names() : List.of(fromStore);
        for (String name : candidates) {
            Store store = stores.get(name);
            for (String key : store.list("")) {
                if (key.endsWith("/" + backupId + "/" + Manifest.FILE_NAME)) {
                    return Map.entry(store, key);
                }
            }
        }
        throw new FileNotFoundException("backup " + backupId + " is neither in the audit catalog nor in stores " + candidates
                + " (mking-backup list shows the backups)");
    }

    /** When the job is gone from the route files, the manifest still says which server it came from. */
    private static JobSpec jobFromManifest(Manifest manifest) {
        Map<String, String> parameters = new HashMap<>(manifest.details());
        return new JobSpec(manifest.job(), manifest.source(), "", List.of(), parameters, "manifest " + manifest.backupId());
    }
}
