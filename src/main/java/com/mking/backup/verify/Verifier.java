package com.mking.backup.verify;

import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.exec.HandedBackInputStream;
import com.mking.backup.exec.RunningTool;
import com.mking.backup.exec.ToolFailedException;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.CorruptArtefactException;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.pipeline.KeyUnavailableException;
import com.mking.backup.pipeline.StoreReadException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Verifies stored copies in one read each: the stored bytes are decrypted (every segment authenticated),
 * decompressed and hashed, and the decoded stream feeds the format's own check ({@code pg_restore --list},
 * {@code tar --list}) through camel-exec; what the check does not read is then read to the end, so the
 * raw SHA-256 is always compared.
 *
 * <p>Right after a backup, {@link #checkWritten} does the same for all copies in one read each, as verify-after-write:
 * its results are what the post-backup verification records, so no copy is read a second time.
 *
 * <p>Outcomes are kept apart: {@link Outcome#FAILED} means the copy itself is bad (checksum or
 * authentication mismatch, undecodable, the format check failed, its data gone); {@link Outcome#NOT_VERIFIED}
 * means it could not be checked here (key missing or different, store unreachable, tool missing) and says
 * nothing against the copy. Only the first may mark a copy failed.
 */
public final class Verifier {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Verifier.class);

    public enum Outcome { PASSED, FAILED, NOT_VERIFIED }

    private final StoreRegistry stores;
    private final SourceRegistry sources;
    private final JobCatalog jobs;
    private final ArtefactReader reader;
    private final ProducerTemplate producer;
    private final Clock clock;

    public Verifier(StoreRegistry stores, SourceRegistry sources, JobCatalog jobs, ArtefactReader reader,
                    ProducerTemplate producer, Clock clock) {
        this.stores = stores;
        this.sources = sources;
        this.jobs = jobs;
        this.reader = reader;
        this.producer = producer;
        this.clock = clock;
    }

    /** The outcome for one copy; getters are read by the audit SQL. */
    public record CopyResult(String backupId, String store, Outcome outcome, boolean checksumMatch, boolean formatChecked,
                             String error, Instant startedAt, Instant finishedAt) {

        public boolean passed() {
            return outcome == Outcome.PASSED;
        }

        public boolean failed() {
            return outcome == Outcome.FAILED;
        }
    }

    public List<CopyResult> verify(CatalogEntry entry) {
        return verify(entry, false);
    }

    /** {@code readAll}: data shared between backups (a snapshot's packs) is decoded whole, not sampled. */
    public List<CopyResult> verify(CatalogEntry entry, boolean readAll) {
        return entry.copies().stream().map(copy -> verifyCopy(entry, copy, readAll)).toList();
    }

    /**
     * Verify-after-write of a backup's copies, before its manifests exist: the first store (put the cheapest to read
     * first) is decoded through every layer with the format check fed from the same stream, the others are
     * compared byte for byte by their stored SHA-256 ({@link ArtefactReader#verifyWritten}); all are read at once.
     * Throws when a copy is bad or cannot be read back, so that nothing is published; a format check that fails
     * on intact bytes is reported in the results instead (as {@link #verifyCopy} does).
     */
    public List<CopyResult> checkWritten(List<Store> targets, String dataKey, Manifest manifest, Manifest.Artefact artefact)
            throws IOException {
        Instant started = clock.instant();
        Optional<ToolCommand> check = sources.get(manifest.source()).checkCommand(jobOf(manifest), manifest, artefact);
        String[] notChecked = new String[1];
        reader.verifyWritten(targets, dataKey, manifest, artefact, raw -> {
            if (check.isPresent()) {
                try {
                    ToolFailedException unreadable = runCheck(check.get(), raw);
                    notChecked[0] = unreadable == null ? null : "its format check failed here: " + unreadable.getMessage();
                } catch (CheckNotStarted e) { // the rest is still decoded and compared: the copy is judged, not the tool
                    notChecked[0] = "its format check could not run here: " + e.getMessage();
                }
            }
        });
        Instant finished = clock.instant();
        return targets.stream().map(store -> notChecked[0] != null
                ? intactButNotChecked(manifest.backupId(), store.name(), notChecked[0], started, finished)
                : new CopyResult(manifest.backupId(), store.name(), Outcome.PASSED, true, check.isPresent(), null, started,
                        finished)).toList();
    }

    /**
     * Results of several artefacts of one backup, store by store: a copy is as good as its worst artefact (failed,
     * then not verified, then passed); its format counts as checked when an artefact's check ran (a check that could not
     * run or failed makes the copy not verified, so checked formats all passed).
     */
    public static List<CopyResult> combine(List<CopyResult> earlier, List<CopyResult> later) {
        return earlier.stream().map(first -> later.stream().filter(next -> next.store().equals(first.store())).findFirst()
                .map(next -> {
                    CopyResult worse = rank(next) > rank(first) ? next : first;
                    return new CopyResult(worse.backupId(), worse.store(), worse.outcome(),
                            first.checksumMatch() && next.checksumMatch(), first.formatChecked() || next.formatChecked(),
                            worse.error(), first.startedAt(), next.finishedAt());
                }).orElse(first)).toList();
    }

    private static int rank(CopyResult result) {
        return switch (result.outcome()) {
            case PASSED -> 0;
            case NOT_VERIFIED -> 1;
            case FAILED -> 2;
        };
    }

    public CopyResult verifyCopy(CatalogEntry entry, CatalogEntry.Copy copy) {
        return verifyCopy(entry, copy, false);
    }

    public CopyResult verifyCopy(CatalogEntry entry, CatalogEntry.Copy copy, boolean readAll) {
        Instant started = clock.instant();
        boolean format = false;
        try {
            if (!stores.contains(copy.store())) {
                return new CopyResult(entry.backupId(), copy.store(), Outcome.NOT_VERIFIED, false, false, "store '"
                        + copy.store() + "' is not configured here (mking.stores)", started, clock.instant());
            }
            Store store = stores.get(copy.store());
            Manifest manifest = readManifest(store, entry, copy);
            String notChecked = null;
            for (Manifest.Artefact artefact : manifest.artefacts()) {
                Optional<ToolCommand> check = sources.get(manifest.source()).checkCommand(jobOf(manifest), manifest, artefact);
                try (InputStream raw = reader.openRaw(store, Manifest.dataKey(copy.manifestKey(), artefact), manifest, artefact)) {
                    if (check.isPresent()) {
                        try {
                            ToolFailedException unreadable = runCheck(check.get(), raw);
                            if (unreadable != null && notChecked == null) {
                                notChecked = "the format check of " + artefact.name() + " failed here: " + unreadable.getMessage();
                            }
                            format |= unreadable == null;
                        } catch (CheckNotStarted e) { // the rest is still decoded and compared: the copy is judged, not the tool
                            notChecked = notChecked != null ? notChecked : "its format check could not run here: " + e.getMessage();
                        }
                    }
                    raw.transferTo(OutputStream.nullOutputStream()); // what the check left unread: every checksum ends here
                }
            }
            Optional<com.mking.backup.source.SharedData> shared = sources.get(manifest.source())
                    .capability(com.mking.backup.source.SharedData.class);
            if (shared.isPresent()) {
                String checked = shared.get().verifyShared(jobOf(manifest), store, copy.manifestKey(), manifest, readAll);
                LOG.info("backup {} in store '{}': {}", entry.backupId(), copy.store(), checked);
            }
            if (notChecked != null) {
                return intactButNotChecked(entry.backupId(), copy.store(), notChecked, started, clock.instant());
            }
            return new CopyResult(entry.backupId(), copy.store(), Outcome.PASSED, true, format, null, started, clock.instant());
        } catch (Exception e) {
            format = false;
            Outcome outcome = isEvidenceAgainstTheCopy(e) ? Outcome.FAILED : Outcome.NOT_VERIFIED;
            return new CopyResult(entry.backupId(), copy.store(), outcome, false, format, BackupRunner.describe(e), started,
                    clock.instant());
        }
    }

    /**
     * After copies of {@code verified} failed: the job's other backups whose copy in such a store references shared data
     * now marked damaged there (a snapshot's pack), each as a failed result, so that retention, {@code list} and restores
     * stop counting on a copy that cannot be restored. Copies already failed there, and stores the others cannot be
     * read in, are left as they are.
     */
    public List<CopyResult> sharingTheDamage(CatalogEntry verified, List<CopyResult> results, List<CatalogEntry> others) {
        Optional<com.mking.backup.source.SharedData> shared = sources.get(verified.source())
                .capability(com.mking.backup.source.SharedData.class);
        List<String> failedStores = results.stream().filter(CopyResult::failed).map(CopyResult::store)
                .filter(stores::contains).distinct().toList();
        if (shared.isEmpty() || failedStores.isEmpty()) {
            return List.of();
        }
        List<CopyResult> damaged = new java.util.ArrayList<>();
        for (CatalogEntry other : others) {
            for (CatalogEntry.Copy copy : other.copies()) {
                if (other.backupId().equals(verified.backupId()) || !failedStores.contains(copy.store())
                        || other.failedIn(copy.store())) {
                    continue;
                }
                Instant started = clock.instant();
                try {
                    Store store = stores.get(copy.store());
                    Optional<String> why = shared.get().referencesDamaged(other.job(), store, copy.manifestKey(),
                            Manifest.read(store.get(copy.manifestKey())));
                    why.ifPresent(reason -> damaged.add(new CopyResult(other.backupId(), copy.store(), Outcome.FAILED, false,
                            false, reason + " (found verifying backup " + verified.backupId() + ")", started, clock.instant())));
                } catch (IOException | RuntimeException e) { // its own verification will tell
                    LOG.warn("backup {} in store '{}': could not check it for the damaged packs ({})", other.backupId(),
                            copy.store(), e.getMessage());
                }
            }
        }
        return damaged;
    }

    /** The bytes are exactly what was backed up, yet the tool here cannot read them (an older version?) or cannot run. */
    private static CopyResult intactButNotChecked(String backupId, String store, String why, Instant started, Instant finished) {
        return new CopyResult(backupId, store, Outcome.NOT_VERIFIED, true, false, "the copy is intact (SHA-256 and "
                + "authentication match) but " + why, started, finished);
    }

    private JobSpec jobOf(Manifest manifest) {
        return jobs.find(manifest.job()).orElse(new JobSpec(manifest.job(), manifest.source(), "", List.of(), Map.of(), null));
    }

    /** Only what shows the stored copy itself is bad; "could not check" is never held against it. */
    static boolean isEvidenceAgainstTheCopy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CorruptArtefactException) {
                return true;
            }
            if (t instanceof KeyUnavailableException
                    || t instanceof StoreReadException) {
                return false;
            }
        }
        return false;
    }

    /**
     * A copy whose manifest is gone is bad when the store still holds the job's other objects; when the
     * store holds nothing of the job at all, the store itself is more likely wrong (another bucket or path).
     */
    private static Manifest readManifest(Store store, CatalogEntry entry, CatalogEntry.Copy copy) throws IOException {
        try {
            return Manifest.read(store.get(copy.manifestKey()));
        } catch (FileNotFoundException e) {
            if (store.list(entry.job() + "/").isEmpty()) {
                throw new IOException("store '" + store.name() + "' holds nothing of job " + entry.job()
                        + " (is it the right bucket or directory?)", e);
            }
            throw new CorruptArtefactException("the manifest of backup " + entry.backupId() + " is gone from store '"
                    + store.name() + "'", e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) { // read whole, but not a manifest: damaged
            throw new CorruptArtefactException("the manifest of backup " + entry.backupId() + " in store '" + store.name()
                    + "' is damaged (truncated or altered: " + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new StoreReadException("cannot read the manifest of backup " + entry.backupId()
                    + " from store '" + store.name() + "': " + e.getMessage(), e);
        }
    }

    /** Feeds the decoded stream to the format's check, then reads what the check left (see HandedBackInputStream). */
    /** The format check's tool could not be started (not installed, not executable): says nothing of the copy. */
    private static final class CheckNotStarted extends Exception {
        CheckNotStarted(Exception cause) {
            super(cause.getMessage(), cause); // names the tool and the fix
        }
    }

    private ToolFailedException runCheck(ToolCommand command, InputStream raw) throws Exception {
        HandedBackInputStream handedBack = new HandedBackInputStream(raw);
        Exchange result = producer.send("exec:verify-tool?commandExecutor=#toolExecutor&binding=#toolBinding", exchange -> {
            exchange.getMessage().setBody(handedBack);
            com.mking.backup.exec.ToolBinding.setHeaders(exchange.getMessage(), command);
        });
        if (result.getException() != null) {
            throw new CheckNotStarted(result.getException());
        }
        ToolFailedException failed = null;
        try {
            result.getMessage().getBody(RunningTool.class).awaitSuccess();
        } catch (ToolFailedException e) {
            failed = e; // judged once the rest of the stream is read: a bad copy, or a tool that cannot read a good one
        }
        handedBack.readRest(5, TimeUnit.MINUTES);
        return failed;
    }
}
