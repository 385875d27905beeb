package com.mking.backup.source.postgres.wal;

import com.mking.backup.audit.AdvisoryLocks;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Publisher;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.pipeline.CorruptArtefactException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WAL archive of a pg-physical job: {@code <job>/wal/<file>.json} (the manifest) naming its data
 * object beside it. A file exists once its manifest does; the manifest is written last.
 *
 * <p>Publication is atomic per name across processes and nodes: each push streams its data to a key of
 * its own ({@code <file>.<push id>.zst.enc}), so racing pushes never touch each other's data; then, under
 * a lock on the name in the audit database, the manifest is written only where none exists. A push never
 * deletes what another push published. The same name with the same content is acknowledged without
 * writing; with different content it is refused ({@link ConflictException}). What is pushed is checked
 * ({@link WalInspection}) before anything is acknowledged.
 */
public final class WalArchive {

    private static final Logger LOG = LoggerFactory.getLogger(WalArchive.class);
    private static final DateTimeFormatter PUSH_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** Data keys of pushes: {@code <file>.<yyyyMMddTHHmmssZ>-<hex>.<suffix>}; the time lets a sweep find orphans. */
    private static final Pattern PUSH_DATA = Pattern.compile("([0-9A-F.]+?(?:history|backup|partial)?)\\.(\\d{8}T\\d{6}Z)-[0-9a-f]{8}\\..*");
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);

    /** What the archive knows of a job's cluster, to check pushed WAL against. */
    public interface ClusterFacts {
        WalInspection.Expectations of(JobSpec job);
    }

    /** Where restore points found in pushed WAL are recorded (the audit database). */
    public interface RestorePointLog {
        void record(String job, String file, long timeline, WalInspection.RestorePoint point);
    }

    private final JobCatalog jobs;
    private final StoreRegistry stores;
    private final ArtefactWriter writer;
    private final ArtefactReader reader;
    private final AdvisoryLocks locks;
    private final ClusterFacts facts;
    private final RestorePointLog restorePoints;
    private final Clock clock;

    public WalArchive(JobCatalog jobs, StoreRegistry stores, ArtefactWriter writer, ArtefactReader reader, AdvisoryLocks locks,
                      ClusterFacts facts, RestorePointLog restorePoints, Clock clock) {
        this.jobs = jobs;
        this.stores = stores;
        this.writer = writer;
        this.reader = reader;
        this.locks = locks;
        this.facts = facts;
        this.restorePoints = restorePoints;
        this.clock = clock;
    }

    /** The same name already holds other content. */
    public static final class ConflictException extends IOException {
        ConflictException(String message) {
            super(message);
        }
    }

    /** A body larger than any file of its kind may be; refused before it is read. */
    public static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    public enum PushResult { ARCHIVED, ALREADY_ARCHIVED }

    public static String prefix(String job) {
        return job + "/wal/";
    }

    static String manifestKey(String job, String file) {
        return prefix(job) + file + ".json";
    }

    /** The job a WAL file may be pushed to, and the largest body accepted for that file (checked before reading). */
    public long acceptableSize(String job, String file) {
        JobSpec spec = archiveJob(job);
        return WalInspection.maxSize(WalNames.kind(file), facts.of(spec));
    }

    /**
     * Stores the file durably in every store of the job, after checking it is what its name says.
     *
     * @param declaredLength the body's length when the client said it, else -1
     */
    public PushResult push(String job, String file, InputStream body, long declaredLength) throws IOException {
        JobSpec spec = archiveJob(job);
        WalInspection.Expectations expect = facts.of(spec);
        long limit = WalInspection.maxSize(WalNames.kind(file), expect);
        if (declaredLength > limit) {
            throw new TooLargeException(file + ": a body of " + declaredLength + " bytes is larger than a file of its kind "
                    + "may be (" + limit + " bytes)");
        }
        WalInspection.Inspecting checked = WalInspection.inspect(file, body, expect);
        List<Store> targets = spec.stores().stream().map(stores::get).toList();
        String manifestKey = manifestKey(job, file);
        List<Store> missing = lacking(targets, manifestKey);
        if (missing.isEmpty()) {
            // archived everywhere already: the body is only read to compare
            Sha256.Sized incoming = Sha256.of(checked);
            requireSameContent(job, file, existing(targets, manifestKey).orElseThrow(), incoming.sha256());
            LOG.info("WAL file {} of job {} is already archived with the same content", file, job);
            return PushResult.ALREADY_ARCHIVED;
        }
        String dataKey = prefix(job) + file + "." + PUSH_TIME.format(clock.instant()) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + writer.storedSuffix();
        Manifest.Artefact artefact = writer.write(dataKey, file, checked, missing,
                Manifest.associatedData(Manifest.WAL_SOURCE, job, file), new AtomicLong());
        WalInspection.Facts found = checked.facts();
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, file, job, Manifest.WAL_SOURCE, "wal", clock.instant(),
                clock.instant(), null, null, writer.settings().compression().id(), writer.encryption(), List.of(artefact),
                details(found));
        try (AdvisoryLocks.Lock ignored = locks.lock("wal/" + job + "/" + file, LOCK_WAIT)) {
            Optional<Manifest> published = existing(targets, manifestKey);
            if (published.isPresent() && !published.get().artefact().rawSha256().equals(artefact.rawSha256())) {
                deleteQuietly(missing, dataKey);
                requireSameContent(job, file, published.get(), artefact.rawSha256());
            }
            List<Store> stillMissing = lacking(missing, manifestKey);
            List<Store> unused = missing.stream().filter(store -> !stillMissing.contains(store)).toList();
            deleteQuietly(unused, dataKey); // another push published there meanwhile, with the same content
            if (stillMissing.isEmpty()) {
                return PushResult.ALREADY_ARCHIVED;
            }
            Publisher.readingBack(reader, writer.settings().verifyAfterWrite()).publish(stillMissing, List.of(dataKey), manifestKey,
                    manifest);
        }
        long timeline = WalNames.kind(file) == WalNames.Kind.TIMELINE_HISTORY ? WalNames.historyTimeline(file)
                : Long.parseLong(file.substring(0, 8), 16);
        for (WalInspection.RestorePoint point : found.restorePoints()) {
            restorePoints.record(job, file, timeline, point);
            LOG.info("WAL file {} of job {} holds restore point '{}' at {} ({})", file, job, point.name(), point.lsn(),
                    point.time());
        }
        return PushResult.ARCHIVED;
    }

    private static Map<String, String> details(WalInspection.Facts found) {
        Map<String, String> details = new LinkedHashMap<>();
        if (found.systemIdentifier() != 0) {
            details.put("systemIdentifier", Long.toUnsignedString(found.systemIdentifier()));
        }
        if (found.firstXactTime() != null) {
            details.put("firstXactTime", found.firstXactTime().toString());
            details.put("lastXactTime", found.lastXactTime().toString());
        }
        if (!found.restorePoints().isEmpty()) {
            details.put("restorePoints", String.join("\n", found.restorePoints().stream()
                    .map(p -> p.lsn() + "\t" + p.time() + "\t" + p.name()).toList()));
        }
        return details;
    }

    /** Restore points a WAL manifest records (pushed since they were recorded; older manifests have none). */
    public static List<WalInspection.RestorePoint> restorePoints(Manifest manifest) {
        String text = manifest.details() == null ? null : manifest.details().get("restorePoints");
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<WalInspection.RestorePoint> points = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.split("\t", 3);
            points.add(new WalInspection.RestorePoint(fields[2], Lsn.parse(fields[0]), Instant.parse(fields[1])));
        }
        return points;
    }

    private static void requireSameContent(String job, String file, Manifest stored, String incomingSha256)
            throws ConflictException {
        if (!stored.artefact().rawSha256().equals(incomingSha256)) {
            throw new ConflictException("WAL file " + file + " of job " + job + " is already archived with different "
                    + "content (sha256 " + stored.artefact().rawSha256() + ", pushed " + incomingSha256
                    + "): is a second cluster archiving here?");
        }
    }

    /** True when the file is archived (has its manifest) in the store to read from. */
    public boolean isArchived(String job, String file, String fromStore) throws IOException {
        requireArchivable(file);
        return locate(job, file, fromStore).isPresent();
    }

    /**
     * Writes the original bytes of an archived file, checked end to end (decryption, both SHA-256s),
     * into {@code target}, atomically: a temporary file beside it is renamed only when everything
     * checked out. {@link FileNotFoundException} when it is not archived.
     */
    public void fetch(String job, String file, String fromStore, Path target) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".mking-partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            fetch(job, file, fromStore, out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Streams the original bytes; a failure surfaces only at the end of the stream, so prefer {@link #fetch(String, String, String, Path)}. */
    public void fetch(String job, String file, String fromStore, OutputStream out) throws IOException {
        requireArchivable(file);
        Map.Entry<Store, String> found = locate(job, file, fromStore).orElseThrow(() -> new FileNotFoundException(
                "WAL file " + file + " of job " + job + " is not in the archive"));
        Store store = found.getKey();
        Manifest manifest = Manifest.read(store.get(found.getValue()));
        if (!file.equals(manifest.backupId()) || !job.equals(manifest.job())) {
            throw new CorruptArtefactException("the manifest of WAL file " + file + " in store '"
                    + store.name() + "' describes " + manifest.job() + "/" + manifest.backupId());
        }
        String dataKey = prefix(job) + manifest.artefact().storedName();
        try (InputStream raw = reader.openRaw(store, dataKey, manifest, manifest.artefact())) {
            raw.transferTo(out);
        }
    }

    /** Reads an archived file back in full through every check; throws what is wrong with it. */
    public void verify(String job, String file, Store store) throws IOException {
        String manifestKey = manifestKey(job, file);
        Manifest manifest;
        try {
            manifest = Manifest.read(store.get(manifestKey));
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("WAL file " + file + " is not in store '" + store.name() + "'");
        }
        reader.verifyDecodable(store, prefix(job) + manifest.artefact().storedName(), manifest, manifest.artefact());
    }

    /** The manifest of an archived file in one store. */
    public Optional<Manifest> manifest(String job, String file, Store store) throws IOException {
        String key = manifestKey(job, file);
        if (store.size(key).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Manifest.read(store.get(key)));
    }

    /** The content of an archived timeline history file, or empty when the archive in that store lacks it. */
    public Optional<TimelineHistory> history(String job, long timeline, Store store) throws IOException {
        if (timeline == 1) {
            return Optional.of(TimelineHistory.first());
        }
        String file = WalNames.historyName(timeline);
        Optional<Manifest> manifest = manifest(job, file, store);
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        try (InputStream raw = reader.openRaw(store, prefix(job) + manifest.get().artefact().storedName(), manifest.get(),
                manifest.get().artefact())) {
            raw.transferTo(content);
        }
        return Optional.of(TimelineHistory.parse(timeline, content.toByteArray()));
    }

    /** The first store (the named one, else the job's in order) holding the file's manifest. */
    private Optional<Map.Entry<Store, String>> locate(String job, String file, String fromStore) throws IOException {
        JobSpec spec = jobs.find(job).orElse(null);
        List<String> names = fromStore != null ? List.of(fromStore) : spec != null ? spec.stores() : stores.names();
        String manifestKey = manifestKey(job, file);
        for (String name : names) {
            Store store = stores.get(name);
            if (store.size(manifestKey).isPresent()) {
                return Optional.of(Map.entry(store, manifestKey));
            }
        }
        return Optional.empty();
    }

    /** Names of the archived files (complete ones: those with a manifest), sorted. */
    public TreeSet<String> archived(String job, Store store) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (String key : store.list(prefix(job))) {
            if (key.endsWith(".json")) {
                names.add(key.substring(prefix(job).length(), key.length() - ".json".length()));
            }
        }
        return names;
    }

    /** Deletes an archived file (manifest first, so it stops existing before its data goes). */
    public void delete(String job, Store store, String file) throws IOException {
        String manifestKey = manifestKey(job, file);
        if (store.size(manifestKey).isEmpty()) {
            return;
        }
        Manifest manifest = Manifest.read(store.get(manifestKey));
        store.delete(manifestKey);
        store.delete(prefix(job) + manifest.artefact().storedName());
    }

    /**
     * Removes data objects of pushes that never published (the process died between writing and the
     * manifest) once they are older than {@code olderThan}: no manifest names them, so nothing reads them.
     * Only the manifest of each such candidate is read. Returns how many were removed.
     */
    public int sweepOrphans(String job, Store store, Duration olderThan) throws IOException {
        Instant cutoff = clock.instant().minus(olderThan);
        int removed = 0;
        for (String key : store.list(prefix(job))) {
            Matcher push = PUSH_DATA.matcher(key.substring(prefix(job).length()));
            if (key.endsWith(".json") || !push.matches() || !Instant.from(PUSH_TIME.parse(push.group(2))).isBefore(cutoff)) {
                continue;
            }
            String file = push.group(1);
            Optional<Manifest> manifest = manifest(job, file, store);
            if (manifest.isEmpty() || !key.equals(prefix(job) + manifest.get().artefact().storedName())) {
                store.delete(key);
                removed++;
            }
        }
        return removed;
    }

    private JobSpec archiveJob(String job) {
        JobSpec spec = jobs.find(job).orElseThrow(() -> new UnknownJobException(job, jobs));
        if (!"pg-physical".equals(spec.source())) {
            throw new IllegalArgumentException("job '" + job + "' is a " + spec.source() + " job; WAL belongs to a pg-physical job");
        }
        return spec;
    }

    /** The URL names a job the route files do not declare. */
    public static final class UnknownJobException extends IllegalArgumentException {
        UnknownJobException(String job, JobCatalog jobs) {
            super("no job named '" + job + "'; pg-physical jobs: " + String.join(", ", jobs.jobs().stream()
                    .filter(j -> "pg-physical".equals(j.source())).map(JobSpec::name).toList()));
        }
    }

    private static void requireArchivable(String file) {
        if (!WalNames.isArchivable(file)) {
            throw new IllegalArgumentException("'" + file + "' is not a WAL file name");
        }
    }

    private static List<Store> lacking(List<Store> targets, String manifestKey) throws IOException {
        List<Store> lacking = new ArrayList<>();
        for (Store store : targets) {
            if (store.size(manifestKey).isEmpty()) {
                lacking.add(store);
            }
        }
        return lacking;
    }

    private static Optional<Manifest> existing(List<Store> targets, String manifestKey) throws IOException {
        for (Store store : targets) {
            if (store.size(manifestKey).isPresent()) {
                try {
                    return Optional.of(Manifest.read(store.get(manifestKey)));
                } catch (FileNotFoundException e) {
                    // deleted between the two calls (retention); look further
                }
            }
        }
        return Optional.empty();
    }

    private static void deleteQuietly(List<Store> targets, String key) {
        for (Store store : targets) {
            try {
                store.delete(key);
            } catch (IOException e) {
                LOG.warn("could not remove {} from store '{}': {}", key, store.name(), e.getMessage());
            }
        }
    }
}
