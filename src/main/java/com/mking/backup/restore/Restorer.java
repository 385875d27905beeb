package com.mking.backup.restore;

import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.exec.HandedBackInputStream;
import com.mking.backup.exec.RunningTool;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.StoreReadException;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTarget;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.store.CountingInputStream;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The steps of the {@code restore} route. A restore reads one stored copy once. Either it decodes the copy into a
 * private file (every checksum compared before the tool reads a byte), then runs the source's parallel restore on
 * it; or it streams the decoded data into the source's restore tool (an encrypted copy's segments each
 * authenticated before the tool sees them) and the SHA-256s are compared at the end. Either way the tool writes
 * into a scratch target that is put in place only after every check passed. The backup is found through the audit
 * catalog, or, when the audit database lost it, by its manifest in the stores.
 */
public final class Restorer {

    public static final String TASK = "restore";
    /** Headers of a restore started by a route ({@code direct:restore-request}). */
    public static final String BACKUP_ID = "mkingBackupId";
    public static final String TARGET = "mkingRestoreTarget";
    public static final String FROM = "mkingRestoreFrom";
    public static final String FORCE = "mkingRestoreForce";
    public static final String PORT = "mkingRestorePort";
    public static final String REQUESTED_BY = "mkingRequestedBy";

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

    private final Catalog catalog;
    private final JobCatalog jobs;
    private final SourceRegistry sources;
    private final StoreRegistry stores;
    private final ArtefactReader reader;
    private final AdvisoryLocks locks;
    private final Clock clock;
    private final Path decodedFileDirectory;

    /** @param decodedFileDirectory where a parallel restore's decoded copy is written (private to this user) */
    public Restorer(Catalog catalog, JobCatalog jobs, SourceRegistry sources, StoreRegistry stores, ArtefactReader reader,
                    AdvisoryLocks locks, Clock clock, Path decodedFileDirectory) {
        this.decodedFileDirectory = decodedFileDirectory;
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
        String target = task.request().target() == null ? null : task.request().target().describe();
        if (target != null && !target.isBlank()) {
            task.targetLock(locks.tryLock("restore-target/" + target).orElseThrow(() -> new IllegalStateException(
                    "another restore is writing into " + target + " right now; wait for it to end, or choose another target")));
        }
    }

    /** Releases the task's lock once its outcome is recorded; always the last step. */
    public void finish(Exchange exchange) {
        RestoreTask task = task(exchange);
        if (task != null) {
            task.releaseLock();
        }
    }

    /**
     * A restore asked for by headers (a route file, a DR plan): builds the request, checks it as the CLI does
     * ({@link #preflight}; a mistake fails here, before anything is recorded or written) and sets the task.
     */
    public void fromHeaders(Exchange exchange) throws IOException {
        org.apache.camel.Message message = exchange.getMessage();
        String backupId = message.getHeader(BACKUP_ID, String.class);
        if (backupId == null || backupId.isBlank()) {
            throw new IllegalArgumentException("a restore request needs the header " + BACKUP_ID + " (a backup id from "
                    + "'mking-backup list')");
        }
        RestoreRequest request = new RestoreRequest(backupId, target(message.getHeader(TARGET, String.class),
                port(message.getHeader(PORT, String.class))), message.getHeader(FROM, String.class),
                message.getHeader(FORCE, false, Boolean.class),
                message.getHeader(REQUESTED_BY, "route " + exchange.getFromRouteId(), String.class));
        preflight(request);
        exchange.setProperty(TASK, new RestoreTask(request, clock.instant()));
    }

    /** Finds the backup, picks the store to read from and loads its manifest. */
    public void locate(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        String backupId = task.request().backupId();
        Optional<CatalogEntry> entry = catalog.find(backupId);
        String manifestKey;
        Store store;
        Manifest manifest;
        if (entry.isPresent() && !entry.get().copies().isEmpty()) {
            if (!"success".equals(entry.get().status())) {
                throw new IOException("backup " + backupId + " has status '" + entry.get().status() + "'; only successful backups can be restored");
            }
            Located located = readManifest(entry.get(), task.request().fromStore());
            store = located.store();
            manifestKey = located.manifestKey();
            manifest = located.manifest();
        } else {
            Map.Entry<Store, String> found = findManifestInStores(backupId, task.request().fromStore());
            store = found.getKey();
            manifestKey = found.getValue();
            LOG.warn("backup {} is not in the audit catalog; restoring from its manifest in store '{}'", backupId, store.name());
            manifest = Manifest.read(store.get(manifestKey));
        }
        JobSpec job = targetJob(manifest, task.request());
        task.located(job, store, manifestKey, manifest);
        LOG.info("restoring backup {} of job {} from store '{}' into '{}'", backupId, manifest.job(), store.name(),
                task.request().target().describe());
    }

    /** The port header: blank is none; anything else must be a port number. */
    private static Integer port(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String port = header.strip();
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("the header " + PORT + " is '" + port + "', not a port number (1-65535)");
        }
        return Integer.valueOf(port);
    }

    /**
     * The target a route's headers name: an absolute path is a directory (with a port: Redis starts a server on it), a
     * URL or {@code user@host:path} a remote to push to (git), anything else a database on the job's server (with a
     * port: on that port).
     */
    static RestoreTarget target(String target, Integer port) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("a restore request needs the header " + TARGET + " (a database name, an "
                    + "absolute directory or a remote URL)");
        }
        if (target.startsWith("./") || target.startsWith("../")) {
            throw new IllegalArgumentException("the header " + TARGET + " names a directory relative to nothing ('" + target
                    + "'): give an absolute path");
        }
        if (target.contains("://") || target.matches("[^/\\s]+@[^/\\s]+:.*")) { // a URL or git's user@host:path
            return new RestoreTarget.Remote(target);
        }
        return target.startsWith("/") ? new RestoreTarget.Directory(Path.of(target), port)
                : new RestoreTarget.Database(target, port == null ? null : new RestoreTarget.Server(null, port, null, null, null),
                false, null);
    }

    /**
     * The job as the restore sees it: from the route files (or the manifest), pointed at the server a database target
     * names (a DR host: its host, port, role and password replace the job's).
     */
    public JobSpec targetJob(Manifest manifest, RestoreRequest request) {
        JobSpec job = jobs.find(manifest.job()).orElseGet(() -> jobFromManifest(manifest));
        if (!(request.target() instanceof RestoreTarget.Database database) || database.server() == null) {
            return job;
        }
        RestoreTarget.Server server = database.server();
        Map<String, String> overrides = new HashMap<>();
        if (server.host() != null) {
            overrides.put("host", server.host());
        }
        if (server.port() != null) {
            overrides.put("port", Integer.toString(server.port()));
        }
        if (server.user() != null) {
            overrides.put("user", server.user());
        }
        if (server.passwordEnv() != null || server.passwordFile() != null) {
            // the DR host's password, never the job's
            com.mking.backup.exec.ToolEnvironment.holdsASecret(server.passwordEnv());
            overrides.put("passwordEnv", server.passwordEnv() == null ? "" : server.passwordEnv());
            overrides.put("passwordFile", server.passwordFile() == null ? "" : server.passwordFile());
        }
        return job.with(overrides);
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
            if (request.fromStore() == null && !entry.get().hasGoodCopy()) {
                throw new IllegalArgumentException("every copy of backup " + backupId + " failed verification ('mking-backup "
                        + "verify " + backupId + "' says why): restore another backup" + catalog.restorable(entry.get().job())
                        .stream().findFirst().map(good -> ", e.g. the newest good one, " + good.backupId()).orElse("")
                        + " ('mking-backup list --job " + entry.get().job() + "'), or name a store with --from to try "
                        + "this one anyway");
            }
            if (candidates(entry.get(), request.fromStore()).isEmpty()) {
                throw new IllegalArgumentException(noCopy(entry.get(), request.fromStore()));
            }
            manifest = readManifest(entry.get(), request.fromStore()).manifest();
        } else {
            Map.Entry<Store, String> found;
            try {
                found = findManifestInStores(backupId, request.fromStore());
            } catch (FileNotFoundException e) {
                String hint = entry.isPresent() ? "; it was deleted from every store (" + entry.get().error() + ")"
                        : catalog.list(null, null, null, 1).isEmpty() ? "; the catalog is empty: on a new host run "
                        + "'mking-backup catalog-rebuild' first" : "; 'mking-backup list' shows the backups";
                throw new IllegalArgumentException("no backup " + backupId + " in the catalog or the stores" + hint);
            }
            manifest = Manifest.read(found.getKey().get(found.getValue()));
        }
        try {
            reader.requireKey(manifest); // a missing or different key is the operator's to fix, not an alert
        } catch (com.mking.backup.pipeline.KeyUnavailableException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        JobSpec job = targetJob(manifest, request);
        sources.get(manifest.source()).checkRestoreTarget(job, request);
        return Map.entry(manifest, job);
    }

    /**
     * Prepares the next artefact's restore command, and before the first one the target: with more than one job and a
     * format that allows it, the copy is decoded into a private file first (in the data directory, readable by this
     * user only; removed when the artefact is restored); otherwise the decoded stream becomes the tool's stdin.
     */
    public void prepareArtefact(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        task.nextArtefact();
        Manifest.Artefact artefact = task.artefact();
        Source source = sources.get(task.manifest().source());
        int jobs = task.request().target().parallelJobs().orElse(defaultJobs());
        Path file = decodedCopy(decodedFileDirectory, task.getTaskId() != null ? task.getTaskId().toString()
                : task.getBackupId() + "-" + ProcessHandle.current().pid());
        Optional<ToolCommand> parallel = jobs > 1
                ? source.parallelRestoreCommand(task.job(), task.manifest(), artefact, task.request(), file, jobs) : Optional.empty();
        if (parallel.isPresent() && !roomFor(artefact.rawSize())) {
            LOG.warn("restore of backup {}: {} has no room for the decoded copy ({}); restoring from a stream with one job",
                    task.getBackupId(), decodedFileDirectory, com.mking.backup.report.Bytes.human(artefact.rawSize()));
            parallel = Optional.empty();
        }
        // opening first checks the key, so a wrong key fails before the target is touched
        InputStream raw = new CountingInputStream(
                reader.openRaw(task.store(), task.dataKey(), task.manifest(), artefact), task.progress());
        ToolCommand command;
        try {
            if (parallel.isPresent()) {
                task.decodedFile(file);
                decodeInto(raw, file);
                task.markChecksumVerified();
                raw = null;
            }
            if (!task.targetPrepared()) {
                source.prepareRestoreTarget(task.job(), task.request());
                task.targetPrepared(true);
            }
        } catch (IOException | RuntimeException e) {
            if (raw != null) {
                raw.close();
            }
            throw e;
        }
        Optional<Source.ArtefactRestore> inProcess = parallel.isPresent() ? Optional.empty()
                : source.inProcessRestore(task.job(), task.manifest(), artefact, task.request());
        task.inProcess(inProcess.orElse(null));
        if (inProcess.isPresent()) {
            HandedBackInputStream input = new HandedBackInputStream(raw);
            task.streamed(input);
            exchange.getMessage().setBody(null);
            LOG.info("restore of backup {}: restoring {} in-process on the decoded stream", task.getBackupId(), artefact.name());
            return;
        }
        if (parallel.isPresent()) {
            command = parallel.get();
            exchange.getMessage().setBody(null);
        } else {
            command = source.restoreCommand(task.job(), task.manifest(), artefact, task.request());
            HandedBackInputStream input = new HandedBackInputStream(raw);
            task.streamed(input);
            exchange.getMessage().setBody(input);
        }
        LOG.info("restore of backup {}: running {} for {} {}", task.getBackupId(), command.executable(), artefact.name(),
                parallel.isPresent() ? "with " + jobs + " jobs on the decoded copy" : "on the decoded stream");
        com.mking.backup.exec.ToolBinding.setHeaders(exchange.getMessage(), command);
    }

    /** Parallel restore workers by default on this machine ({@link #defaultJobs(int)}). */
    static int defaultJobs() {
        return defaultJobs(Runtime.getRuntime().availableProcessors());
    }

    /**
     * On two cores or fewer, one: the decoded stream goes straight into pg_restore, because writing and re-reading a
     * decoded copy costs more there than a second worker wins (bench/run, 1 GB dump, 2 cores: 14.2 s streamed, 15.8 s
     * with two jobs on a decoded copy). With more cores, one worker each, at most four (more rarely pays on one
     * database server).
     */
    static int defaultJobs(int cores) {
        return cores <= 2 ? 1 : Math.min(4, cores);
    }

    /** A restore task's decoded copy: its own file, so two restores of one backup never share one. */
    public static Path decodedCopy(Path directory, String taskId) {
        return directory.resolve("task-" + taskId + ".decoded");
    }

    private boolean roomFor(long bytes) {
        try {
            Files.createDirectories(decodedFileDirectory);
            return Files.getFileStore(decodedFileDirectory).getUsableSpace() > bytes + bytes / 10 + (256L << 20);
        } catch (IOException e) {
            LOG.warn("cannot use {} for a decoded copy: {}", decodedFileDirectory, e.getMessage());
            return false;
        }
    }

    /** The decoded copy, owner-only (it is the plaintext of an encrypted backup); its checksums are compared at the end. */
    private static void decodeInto(InputStream raw, Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (raw; OutputStream out = Files.newOutputStream(file)) {
            raw.transferTo(out);
        }
    }

    /** Whether the next artefact is restored by the source's Java code rather than a command (after prepareArtefact). */
    public static boolean restoresInProcess(Exchange exchange) {
        return task(exchange).inProcess() != null;
    }

    /** Runs the source's Java restore of the artefact on the decoded stream prepareArtefact opened. */
    public void restoreInProcess(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        try (InputStream raw = task.streamed()) { // closing hands it back: the rest is read and checked after
            task.inProcess().restoreFrom(raw, task.store());
        }
    }

    /** Waits for the artefact's restore tool and checks that every byte of the artefact was read and matched. */
    public void artefactRestored(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        if (task.inProcess() == null) {
            RunningTool tool = exchange.getMessage().getBody(RunningTool.class);
            task.tool(tool);
            tool.awaitSuccess();
        }
        if (task.streamed() != null) {
            // the tool may have stopped before the end: the rest is read here, so the SHA-256s are compared before
            // anything is put in place (a mismatch fails the restore and the scratch target is dropped)
            task.streamed().readRest(5, java.util.concurrent.TimeUnit.MINUTES);
            task.streamed().closeSource();
            task.markChecksumVerified();
        }
        removeDecodedFile(task);
        task.tool(null);
    }

    /** Every artefact restored and checked: moves the restored data into place. */
    public void complete(Exchange exchange) throws IOException {
        RestoreTask task = task(exchange);
        task.reached(sources.get(task.manifest().source()).finishRestore(task.job(), task.manifest(), task.request(), true));
        task.succeeded(clock.instant());
        LOG.info("restore of backup {} into '{}' succeeded in {} s", task.getBackupId(), task.getTarget(),
                task.getDurationSeconds());
    }

    /** Error handler step: stops the tool, removes the half-restored scratch target, records the error. */
    public void fail(Exchange exchange) {
        RestoreTask task = task(exchange);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = BackupRunner.describe(caught);
        if (task == null) {
            LOG.error("restore could not start: {}", message);
            return;
        }
        if (task.tool() != null) {
            task.tool().kill();
        }
        Path decodedCopies = task.decodedFile() == null ? null : task.decodedFile().getParent();
        removeDecodedFile(task);
        if (task.streamed() != null) {
            try {
                task.streamed().closeSource();
            } catch (IOException e) {
                LOG.debug("closing the restore's input: {}", e.getMessage());
            }
        }
        if (task.targetPrepared()) {
            try {
                sources.get(task.manifest().source()).finishRestore(task.job(), task.manifest(), task.request(), false);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not clean up after the failed restore: {}", e.getMessage());
            }
        }
        RestoreFault fault = RestoreFault.of(caught);
        Long rawSize = task.manifest() == null ? null : task.manifest().rawSize();
        String explained = task.failureExplanation()
                .or(() -> fault.advice(task.request().target(), decodedCopies, rawSize))
                .or(() -> task.manifest() == null || task.job() == null ? java.util.Optional.empty()
                        : sources.get(task.manifest().source()).restoreAdvice(task.job(), task.request(), message))
                .map(cause -> cause + " (" + message + ")").orElse(message);
        task.failed(explained, fault, clock.instant());
        exchange.getMessage().setBody(task); // what a route that asked for the restore gets back, as on success
        if (task.isOperatorMistake()) {
            LOG.warn("restore of backup {} not done: {}", task.getBackupId(), explained);
        } else {
            LOG.error("restore of backup {} failed: {}", task.getBackupId(), explained);
        }
    }

    private static void removeDecodedFile(RestoreTask task) {
        if (task.decodedFile() != null) {
            try {
                Files.deleteIfExists(task.decodedFile());
            } catch (IOException e) {
                LOG.warn("could not remove the decoded copy {}: {} (it holds the backup's plaintext: remove it)",
                        task.decodedFile(), e.getMessage());
            }
        }
    }

    /** A copy whose manifest was read: the store the restore reads from. */
    private record Located(Store store, String manifestKey, Manifest manifest) {
    }

    /**
     * The backup's manifest from the first copy that yields one (see {@link #candidates}): a manifest gone or unreadable
     * in one store (a deleted directory, a truncated file) sends the restore to the next, as an operator would at 3 a.m.
     * With --from, that store's or an error.
     */
    private Located readManifest(CatalogEntry entry, String fromStore) throws IOException {
        List<String> failures = new ArrayList<>();
        IOException last = null;
        for (CatalogEntry.Copy copy : candidates(entry, fromStore)) {
            Store store = stores.get(copy.store());
            try {
                Manifest manifest = Manifest.read(store.get(copy.manifestKey()));
                if (!failures.isEmpty()) {
                    LOG.warn("backup {}: {}; reading the copy in store '{}'", entry.backupId(), String.join("; ", failures),
                            store.name());
                }
                if (copy.failedVerification()) {
                    LOG.warn("backup {}: the copy in store '{}' failed its last verification; reading it as asked",
                            entry.backupId(), store.name());
                }
                return new Located(store, copy.manifestKey(), manifest);
            } catch (IOException e) {
                last = e;
                failures.add("its manifest in store '" + store.name() + "' cannot be read (" + shortly(e) + ")");
            }
        }
        if (last == null) {
            throw new IOException(noCopy(entry, fromStore));
        }
        throw new StoreReadException("backup " + entry.backupId() + ": " + String.join("; ", failures)
                + (fromStore != null && entry.copies().size() > 1 ? "; try another store with --from ("
                + String.join(", ", entry.storeNames()) + ")" : ""), last);
    }

    /** The first line of what went wrong, without a parser's location dump. */
    private static String shortly(IOException e) {
        String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException json ? "not a readable manifest: "
                + json.getOriginalMessage() : e instanceof FileNotFoundException ? "it is gone" : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }

    /**
     * The copies a restore may read, best first: with --from, that store's; else in the order of mking.stores, copies
     * not known to be bad before those that failed verification (at 3 a.m. the good copy is the one to read).
     */
    private List<CatalogEntry.Copy> candidates(CatalogEntry entry, String fromStore) {
        if (fromStore != null) {
            return entry.copies().stream().filter(c -> c.store().equals(fromStore)).toList();
        }
        List<CatalogEntry.Copy> ordered = new ArrayList<>();
        for (boolean failed : new boolean[] {false, true}) {
            for (String name : stores.names()) {
                entry.copies().stream().filter(copy -> copy.store().equals(name) && copy.failedVerification() == failed)
                        .forEach(ordered::add);
            }
        }
        return ordered;
    }

    private static String noCopy(CatalogEntry entry, String fromStore) {
        return fromStore != null ? "backup " + entry.backupId() + " has no copy in store '" + fromStore + "'; it has copies in "
                + entry.storeNames() : "backup " + entry.backupId() + " has copies in " + entry.storeNames()
                + " but none of those stores is configured (mking.stores)";
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
