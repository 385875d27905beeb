package com.mking.backup.job;

import com.mking.backup.exec.RemoteShell;
import com.mking.backup.exec.RunningOutput;
import com.mking.backup.exec.RunningWriter;
import com.mking.backup.pipeline.ArtefactStages;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Publisher;
import com.mking.backup.source.Source;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.verify.Verifier;
import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.audit.AuditDatabase;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The steps of the {@code backup-run} route, each a plain method taking the exchange. The run's state
 * travels as the {@link #RUN} exchange property.
 */
public final class BackupRunner {

    public static final String RUN = "run";
    public static final String JOB_HEADER = "mkingJob";
    public static final String TRIGGER_HEADER = "mkingTrigger";
    /** Optional header: an AtomicLong the caller watches for progress (raw bytes read). */
    public static final String PROGRESS_HEADER = "mkingProgress";

    private static final Logger LOG = LoggerFactory.getLogger(BackupRunner.class);

    private final JobCatalog jobs;
    private final SourceRegistry sources;
    private final StoreRegistry stores;
    private final ArtefactWriter writer;
    private final Verifier verifier;
    private final AdvisoryLocks locks;
    private final Clock clock;
    private final RemoteShell remoteShell;
    private final InterruptedRuns interrupted;

    public BackupRunner(JobCatalog jobs, SourceRegistry sources, StoreRegistry stores, ArtefactWriter writer,
                        Verifier verifier, AdvisoryLocks locks, Clock clock, RemoteShell remoteShell,
                        InterruptedRuns interrupted) {
        this.remoteShell = remoteShell;
        this.interrupted = interrupted;
        this.jobs = jobs;
        this.sources = sources;
        this.stores = stores;
        this.writer = writer;
        this.verifier = verifier;
        this.locks = locks;
        this.clock = clock;
    }

    /** Creates the run and takes the job's lock; a run already in progress makes this one skip. */
    public void begin(Exchange exchange) throws Exception {
        JobSpec job = jobs.job(exchange.getMessage().getHeader(JOB_HEADER, String.class));
        String trigger = exchange.getMessage().getHeader(TRIGGER_HEADER, "schedule", String.class);
        AtomicLong progress = exchange.getMessage().getHeader(PROGRESS_HEADER, new AtomicLong(), AtomicLong.class);
        BackupRun run = new BackupRun(job, sources.get(job.source()).method(), clock.instant(), trigger, progress);
        exchange.setProperty(RUN, run);
        run.lock(locks.tryLock(AdvisoryLocks.job(job.name())).orElse(null));
        if (run.lock() == null) {
            run.skipped("job '" + job.name() + "' is already running (another trigger, CLI or node); this run was skipped",
                    clock.instant());
            LOG.warn(run.error());
        } else {
            // this run holds the job's lock: a run of the job still marked running died (killed, crashed); it is marked
            // aborted now, its leftovers removed, instead of showing as running until a check or a daemon start
            interrupted.sweepHeld(job.name());
        }
    }

    public static boolean isSkipped(Exchange exchange) {
        return run(exchange).status() == BackupRun.Status.SKIPPED;
    }

    /**
     * Asks the source for its versions (this is where an unreachable source fails, before any tool runs), lets it
     * make its data ready (a Redis BGSAVE, a git mirror update) and learns which artefacts it will dump.
     */
    public void prepareSource(Exchange exchange) throws IOException {
        BackupRun run = run(exchange);
        Source source = sources.get(run.job().source());
        run.description(source.describe(run.job()));
        run.toolDetails(source.prepareBackup(run.job()));
        run.outputs(source.outputs(run.job()));
    }

    /** Sets the camel-exec headers for the next artefact's command (over SSH when the job names a host); stdin is empty. */
    public void startTool(Exchange exchange) {
        BackupRun run = run(exchange);
        Source.Output output = run.nextOutput();
        ToolCommand command = remoteShell.wrap(run.job(), output.command());
        exchange.getMessage().setBody(null);
        com.mking.backup.exec.ToolBinding.setHeaders(exchange.getMessage(), command);
        run.stages(new ArtefactStages());
        LOG.info("backup {} of job {}: running {} for {}", run.getBackupId(), run.getJobName(), command.executable(),
                output.name());
    }

    /** Whether the next artefact is a command's stdout (else Java code writes it). */
    public static boolean nextIsCommand(Exchange exchange) {
        return run(exchange).nextOutput().isCommand();
    }

    /** Starts the Java code that writes the next artefact; its bytes become the body, as a tool's stdout would. */
    public void startStream(Exchange exchange) {
        BackupRun run = run(exchange);
        Source.Output output = run.nextOutput();
        LOG.info("backup {} of job {}: writing {}", run.getBackupId(), run.getJobName(), output.name());
        exchange.getMessage().setBody(RunningWriter.start(output.name(), output.stream()));
        run.stages(new ArtefactStages());
    }

    /**
     * Adds the raw bytes' SHA-256 and size to the artefact's stages (nothing flows before the stores step). The first
     * step after the tool started: from here on, a failure kills the running tool (or writer) through the run.
     */
    public void checksum(Exchange exchange) {
        BackupRun run = run(exchange);
        run.tool(exchange.getMessage().getBody(RunningOutput.class));
        run.stages().checksum();
    }

    /** Adds the configured compression to the artefact's stages. */
    public void compress(Exchange exchange) {
        writer.compress(run(exchange).stages());
    }

    /** Adds encryption, bound to this backup and artefact, when it is on. */
    public void encrypt(Exchange exchange) {
        BackupRun run = run(exchange);
        writer.encrypt(run.stages(), Manifest.artefactAssociatedData(run.getBackupId(), run.nextOutput().name()));
    }

    /**
     * Streams the running tool's (or writer's) output through the stages the steps before added into every store, as
     * the next artefact.
     */
    public void storeArtefact(Exchange exchange) throws IOException {
        BackupRun run = run(exchange);
        RunningOutput tool = run.tool();
        JobSpec job = run.job();
        String name = run.nextOutput().name();
        String storedName = name + writer.storedSuffix();
        String dataKey = run.keyPrefix() + storedName;
        java.time.Instant writing = clock.instant();
        Manifest.Artefact artefact;
        try (InputStream raw = tool.getStdout()) {
            artefact = writer.write(dataKey, name, raw, run.stages(), targets(job), run.progress()).withStoredName(storedName);
        }
        run.written(artefact, dataKey);
        run.toolDetails(sources.get(job.source()).resultDetails(job, tool.stderrText()));
        run.tool(null);
        LOG.info("backup {} of job {}: {} written, {} bytes raw, {} bytes stored, in {} ms ({})", run.getBackupId(), job.name(),
                name, artefact.rawSize(), artefact.storedSize(), java.time.Duration.between(writing, clock.instant()).toMillis(),
                run.stages().statistics().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(", ")));
    }

    /**
     * Reads the written copies back (verify-after-write), then writes the manifests: a backup is complete in all its
     * stores or present in none.
     */
    public void publish(Exchange exchange) throws IOException {
        BackupRun run = run(exchange);
        JobSpec job = run.job();
        Source source = sources.get(job.source());
        Source.Description description = run.description();
        List<Store> targets = targets(job);
        String manifestKey = run.keyPrefix() + Manifest.FILE_NAME;
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, run.getBackupId(), job.name(), job.source(),
                source.method(), run.startedAt(), clock.instant(), description.toolVersion(), description.serverVersion(),
                writer.settings().compression().id(), writer.encryption(), run.writtenArtefacts(),
                details(description.details(), run.toolDetails()));
        if (!run.lock().isHeld()) {
            // the audit database restarted or was lost: another run may have started, and the run is being marked
            // aborted; publishing now could make a backup that nothing records
            throw new IOException("the job lock was lost (" + AuditDatabase.unreachable(
                    new java.sql.SQLException("its connection closed")) + "); nothing was published");
        }
        // verify-after-write reads each copy once; its results are the post-backup verification's (no second read)
        Publisher publisher = new Publisher(writer.settings().verifyAfterWrite()
                ? (stored, key, written, artefact) -> run.recordReadBack(verifier.checkWritten(stored, key, written, artefact))
                : (stored, key, written, artefact) -> { });
        java.time.Instant published = clock.instant();
        publisher.publish(targets, manifestKey, manifest);
        List<StoredCopy> copies = new ArrayList<>();
        for (Store store : targets) {
            copies.add(new StoredCopy(store.name(), store.describe(), manifest.dataKeys(manifestKey).get(0), manifestKey,
                    manifest.storedSize(), manifest.storedSha256()));
        }
        run.succeeded(manifest, copies, clock.instant());
        LOG.info("backup {} of job {} complete: {} artefact(s), {} bytes raw, {} bytes stored, stores {}; read back and "
                        + "published in {} ms", run.getBackupId(), job.name(), manifest.artefacts().size(), manifest.rawSize(),
                manifest.storedSize(), job.stores(), java.time.Duration.between(published, clock.instant()).toMillis());
    }

    private List<Store> targets(JobSpec job) {
        return job.stores().stream().map(stores::get).toList();
    }

    /** Marks the run failed and removes anything it stored; called by the error handler. */
    public void fail(Exchange exchange) {
        BackupRun run = exchange.getProperty(RUN, BackupRun.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = describe(cause);
        if (run == null) {
            LOG.error("backup could not start: {}", message);
            return;
        }
        if (run.tool() != null) {
            run.tool().kill();
        }
        if (run.status() == BackupRun.Status.RUNNING || run.status() == BackupRun.Status.SUCCESS) {
            // artefacts written before a later one failed, or a published backup whose audit failed: nothing is left
            // that nobody can find; the manifest goes first, so a half-removed backup never looks complete
            List<String> keys = new ArrayList<>();
            if (run.status() == BackupRun.Status.SUCCESS) {
                keys.add(run.getManifestKey());
            }
            keys.addAll(run.writtenKeys());
            removeEverywhere(run.job().stores().stream().filter(stores::contains).map(stores::get).toList(), keys);
            run.failed(message, clock.instant());
        }
        LOG.error("backup {} of job {} failed: {}", run.getBackupId(), run.getJobName(), message);
    }

    /** Releases the job lock; always the last step. */
    public void finish(Exchange exchange) {
        BackupRun run = exchange.getProperty(RUN, BackupRun.class);
        if (run != null && run.lock() != null) {
            run.lock().close();
            run.lock(null);
        }
    }

    private static java.util.Map<String, String> details(java.util.Map<String, String> before, java.util.Map<String, String> after) {
        java.util.Map<String, String> all = new java.util.TreeMap<>(before);
        all.putAll(after);
        return all;
    }

    /** After the audit recorded success: source-specific retention (e.g. WAL no kept base backup needs). */
    public void afterSuccess(Exchange exchange) {
        BackupRun run = run(exchange);
        try {
            sources.get(run.job().source()).afterBackup(run.job());
        } catch (IOException | RuntimeException e) {
            LOG.warn("after backup {} of job {}: {}", run.getBackupId(), run.getJobName(), e.getMessage());
        }
    }

    public static BackupRun run(Exchange exchange) {
        return exchange.getProperty(RUN, BackupRun.class);
    }

    private static void removeEverywhere(List<Store> targets, List<String> keys) {
        for (Store store : targets) {
            for (String key : keys) {
                try {
                    store.delete(key);
                } catch (IOException e) {
                    LOG.warn("could not remove {} from store '{}': {}", key, store.name(), e.getMessage());
                }
            }
        }
    }

    /** A one-line, secret-free description of a failure: the message chain without stack traces. */
    public static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        StringBuilder text = new StringBuilder();
        for (Throwable t = cause; t != null && text.length() < 2000; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            // a cause already summed up by its first line (a decoder's dump of its state after it) is not repeated
            if (text.indexOf(message.lines().findFirst().orElse(message)) < 0) {
                text.append(text.length() == 0 ? "" : " <- ").append(message);
            }
        }
        return text.toString();
    }
}
