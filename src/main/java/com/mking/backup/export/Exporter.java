package com.mking.backup.export;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.report.Bytes;
import com.mking.backup.source.SharedData;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.source.postgres.PostgresPhysicalSource;
import com.mking.backup.source.postgres.wal.TimelineHistory;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalChain;
import com.mking.backup.source.postgres.wal.WalNames;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes chosen backups to a directory laid out as a {@code local} store (or to volumes of a given size, each one),
 * with the WAL their point-in-time recovery needs, {@code catalog.json}, {@code RECOVERY.txt} and {@code export.sha256}.
 *
 * <p>The stored bytes are copied as they are (compressed, encrypted: no key is needed, except to read a files
 * snapshot's pack table), streamed, each from the first store whose copy is good: its size and SHA-256 are checked
 * against the manifest as it is copied, and a bad copy is named and the next store tried. Every file is written under a
 * temporary name, fsynced and renamed; within a backup the manifest comes last. {@code export.sha256} is written last
 * of all: an export without it did not finish, and a failed export removes what it wrote.
 */
public final class Exporter {

    private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
    static final String PARTIAL_PREFIX = ".partial-";
    private static final int BUFFER = 256 << 10;

    private final Catalog catalog;
    private final StoreRegistry stores;
    private final SourceRegistry sources;
    private final WalArchive wal;
    private final String keyDir;
    private final Clock clock;

    /**
     * @param keyDir where this host keeps its key files (named on the recovery sheet), or null when unencrypted
     */
    public Exporter(Catalog catalog, StoreRegistry stores, SourceRegistry sources, WalArchive wal, String keyDir, Clock clock) {
        this.catalog = catalog;
        this.stores = stores;
        this.sources = sources;
        this.wal = wal;
        this.keyDir = keyDir;
        this.clock = clock;
    }

    /**
     * What to export and where.
     *
     * @param since      backups started at or after this (null: any time); {@code sinceText} as the operator wrote it
     * @param volumeSize null: one directory; else volumes {@code vol-001}... of at most this many bytes
     */
    public record Request(Path to, List<String> jobs, Instant since, String sinceText, List<String> backupIds, Long volumeSize,
                          String createdBy) {
    }

    /** What was written: the catalog (with every file's volume) and what was noticed on the way (bad copies skipped, gaps). */
    public record Result(Path directory, ExportCatalog catalog, List<String> warnings) {
    }

    /** One file to write: its key, what it must hash to, what it belongs to, and where it comes from. */
    private record Planned(String key, long size, String sha256, String what, List<Store> from, byte[] bytes, String done) {
    }

    /** A backup to export: its catalog entry, manifest (read once, copied as read) and the stores to read it from. */
    private record Chosen(CatalogEntry entry, String manifestKey, byte[] manifestBytes, Manifest manifest, List<Store> from) {
    }

    public Result export(Request request, Consumer<String> progress) throws IOException {
        Path to = request.to().toAbsolutePath().normalize();
        requireEmptyTarget(to);
        List<CatalogEntry> entries = select(request);
        List<String> warnings = new ArrayList<>();
        Map<String, Set<String>> keyJobs = new TreeMap<>();
        Map<String, Manifest.Encryption> keyInfo = new TreeMap<>();

        List<Planned> planned = new ArrayList<>();
        List<ExportCatalog.Backup> backups = new ArrayList<>();
        List<ExportCatalog.WalSet> walSets = new ArrayList<>();
        List<ExportCatalog.SharedSet> sharedSets = new ArrayList<>();
        Map<String, List<CatalogEntry>> byJob = new TreeMap<>();
        entries.forEach(entry -> byJob.computeIfAbsent(entry.job(), job -> new ArrayList<>()).add(entry));
        for (Map.Entry<String, List<CatalogEntry>> job : byJob.entrySet()) {
            List<Chosen> chosen = new ArrayList<>();
            for (CatalogEntry entry : job.getValue()) {
                chosen.add(readManifest(entry));
            }
            // shared objects first: a snapshot's manifest comes after everything it references
            Map<String, Planned> shared = new LinkedHashMap<>();
            for (Chosen c : chosen) {
                Optional<SharedData> sharing = sources.all().stream().filter(s -> s.kind().equals(c.manifest().source()))
                        .findFirst().flatMap(s -> s.capability(SharedData.class));
                if (sharing.isPresent()) {
                    for (SharedData.StoredObject object : sharing.get().sharedObjects(c.manifest().job(), c.from().get(0),
                            c.manifestKey(), c.manifest())) {
                        Sha256Listing.requireListable(object.key());
                        shared.putIfAbsent(object.key(), new Planned(object.key(), object.size(), object.sha256(),
                                "shared by backups of job " + job.getKey(), c.from(), null, null));
                    }
                }
            }
            if (!shared.isEmpty()) {
                List<Planned> list = new ArrayList<>(shared.values());
                long bytes = list.stream().mapToLong(Planned::size).sum();
                Planned last = list.remove(list.size() - 1);
                list.add(new Planned(last.key(), last.size(), last.sha256(), last.what(), last.from(), null,
                        shared.size() + " shared objects of job " + job.getKey() + " (" + Bytes.human(bytes) + ")"));
                planned.addAll(list);
            }
            for (Chosen c : chosen) {
                Manifest m = c.manifest();
                String what = "backup " + m.backupId() + " of job " + m.job();
                for (Manifest.Artefact artefact : m.artefacts()) {
                    String key = Manifest.dataKey(c.manifestKey(), artefact);
                    Sha256Listing.requireListable(key);
                    planned.add(new Planned(key, artefact.storedSize(), artefact.storedSha256(), what, c.from(), null, null));
                }
                planned.add(new Planned(c.manifestKey(), c.manifestBytes().length, Sha256.hex(Sha256.newDigest()
                        .digest(c.manifestBytes())), what, List.of(), c.manifestBytes(), what + " (" + m.source() + ", "
                        + m.artefacts().size() + " file(s), " + Bytes.human(m.storedSize()) + ")"));
                if (m.encryption() != null) {
                    keyJobs.computeIfAbsent(m.encryption().keyId(), id -> new TreeSet<>()).add(m.job());
                    keyInfo.putIfAbsent(m.encryption().keyId(), m.encryption());
                }
            }
            List<Chosen> bases = chosen.stream().filter(c -> PostgresPhysicalSource.startSegment(c.manifest()).isPresent()).toList();
            Map<String, Recovering> recoveries = new LinkedHashMap<>();
            if (!bases.isEmpty()) {
                planWal(job.getKey(), bases, planned, walSets, recoveries, keyJobs, keyInfo, warnings);
            }
            for (Chosen c : chosen) {
                backups.add(backupEntry(c, recoveries.get(c.entry().backupId())));
            }
            if (!shared.isEmpty()) {
                sharedSets.add(new ExportCatalog.SharedSet(job.getKey(), "packs", shared.values().stream()
                        .map(p -> new ExportCatalog.FileRef(p.key(), p.size(), p.sha256(), 1)).toList()));
            }
        }
        List<ExportCatalog.Key> keys = keyJobs.entrySet().stream().map(k -> new ExportCatalog.Key(k.getKey(),
                keyInfo.get(k.getKey()).algorithm(), keyInfo.get(k.getKey()).keyFingerprint(), List.copyOf(k.getValue()))).toList();
        ExportCatalog.Selection selection = new ExportCatalog.Selection(request.jobs(), request.sinceText(), request.backupIds());
        ExportCatalog draft = new ExportCatalog(ExportCatalog.FORMAT, clock.instant(), request.createdBy(), hostName(), selection,
                request.volumeSize(), 1, 1, backups, walSets, sharedSets, keys, planned.size(),
                planned.stream().mapToLong(Planned::size).sum());

        List<List<Planned>> volumes = planVolumes(planned, draft, request.volumeSize());
        ExportCatalog exported = withVolumes(draft, volumes);
        write(to, volumes, exported, request.volumeSize() != null, progress, warnings);
        return new Result(to, exported, warnings);
    }

    private static void requireEmptyTarget(Path to) throws IOException {
        if (Files.exists(to) && !Files.isDirectory(to)) {
            throw new IllegalArgumentException("--to " + to + " is a file: give a new or empty directory");
        }
        if (Files.isDirectory(to)) {
            try (Stream<Path> entries = Files.list(to)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--to " + to + " is not empty: give a new or empty directory (an export "
                            + "never mixes with other files, and never replaces an earlier export; one that did not finish has no "
                            + Sha256Listing.FILE_NAME + ": remove it and export again)");
                }
            }
        }
    }

    /** The catalog entries to export, oldest first per job; every operator mistake is an IllegalArgumentException. */
    List<CatalogEntry> select(Request request) {
        List<String> ids = request.backupIds() == null ? List.of() : request.backupIds();
        List<String> jobs = request.jobs() == null ? List.of() : request.jobs();
        for (String job : jobs) {
            if (catalog.list(job, null, null, 1).isEmpty()) {
                throw new IllegalArgumentException("--job " + job + " has no backups in the catalog ('mking-backup list' shows "
                        + "the jobs and backups; on a new host run 'mking-backup catalog-rebuild' first)");
            }
        }
        for (String id : ids) {
            List<CatalogEntry> found = catalog.list(null, id, null, 1);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("--backup-id " + id + " is not in the catalog: 'mking-backup list' shows the "
                        + "backup ids (on a new host run 'mking-backup catalog-rebuild' first)");
            }
            CatalogEntry entry = found.get(0);
            if (!"success".equals(entry.status())) {
                throw new IllegalArgumentException("--backup-id " + id + " has status '" + entry.status() + "': only successful "
                        + "backups are exported");
            }
            if (entry.copies().stream().noneMatch(copy -> stores.contains(copy.store()))) {
                throw new IllegalArgumentException("--backup-id " + id + " has no stored copy in a configured store (pruned, or "
                        + "its stores are no longer in mking.stores)");
            }
            if (readable(entry).isEmpty()) {
                throw new IllegalArgumentException("--backup-id " + id + " failed its verification in every store that has it "
                        + "(no copy decodes): it is never exported; 'mking-backup verify " + id + "' says more");
            }
        }
        List<CatalogEntry> chosen = new ArrayList<>();
        for (String job : jobs.isEmpty() ? java.util.Collections.<String>singletonList(null) : jobs) {
            for (CatalogEntry entry : catalog.list(job, null, "success", 10_000_000)) {
                if (readable(entry).isEmpty()
                        || (!ids.isEmpty() && !ids.contains(entry.backupId()))
                        || (request.since() != null && entry.startTime() != null
                        && entry.startTime().toInstant(ZoneOffset.UTC).isBefore(request.since()))) {
                    continue;
                }
                chosen.add(entry);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("nothing to export: no successful backup" + (jobs.isEmpty() ? "" : " of job(s) "
                    + String.join(", ", jobs)) + (request.since() == null ? "" : " started since " + request.sinceText()
                    + " (" + request.since() + ")") + (ids.isEmpty() ? "" : " among --backup-id " + String.join(", ", ids))
                    + " with a stored copy ('mking-backup list' shows what there is)");
        }
        chosen.sort(Comparator.comparing(CatalogEntry::job).thenComparing(CatalogEntry::startTime).thenComparing(CatalogEntry::backupId));
        return chosen;
    }

    /** The copies an export reads: in a configured store, and not found bad by their latest verification. */
    private List<CatalogEntry.Copy> readable(CatalogEntry entry) {
        return entry.copies().stream().filter(copy -> stores.contains(copy.store()) && !copy.failedVerification()).toList();
    }

    /** The manifest of a backup, from the first store (in mking.stores order) that has it. */
    private Chosen readManifest(CatalogEntry entry) throws IOException {
        List<CatalogEntry.Copy> copies = readable(entry).stream()
                .sorted(Comparator.comparingInt(copy -> stores.names().indexOf(copy.store()))).toList();
        List<String> failures = new ArrayList<>();
        for (CatalogEntry.Copy copy : copies) {
            Store store = stores.get(copy.store());
            byte[] bytes;
            try (InputStream in = store.get(copy.manifestKey())) {
                bytes = in.readAllBytes();
            } catch (IOException | RuntimeException e) {
                failures.add("store '" + store.name() + "': " + e.getMessage());
                continue;
            }
            Manifest manifest;
            try {
                manifest = Manifest.read(new java.io.ByteArrayInputStream(bytes));
            } catch (IOException e) {
                failures.add("store '" + store.name() + "': " + copy.manifestKey() + " does not parse (" + e.getMessage() + ")");
                continue;
            }
            if (!entry.backupId().equals(manifest.backupId()) || !entry.job().equals(manifest.job())) {
                failures.add("store '" + store.name() + "': " + copy.manifestKey() + " describes backup " + manifest.backupId()
                        + " of job " + manifest.job());
                continue;
            }
            Sha256Listing.requireListable(copy.manifestKey());
            // the same key in every store (one layout): the stores after this one are the fall-backs for the data
            List<Store> from = new ArrayList<>();
            from.add(store);
            copies.stream().filter(other -> other.manifestKey().equals(copy.manifestKey()) && !other.store().equals(store.name()))
                    .forEach(other -> from.add(stores.get(other.store())));
            return new Chosen(entry, copy.manifestKey(), bytes, manifest, from);
        }
        throw new IOException("the manifest of backup " + entry.backupId() + " of job " + entry.job() + " cannot be read from any "
                + "store: " + String.join("; ", failures));
    }

    /** A base backup's WAL chain in the export, for the catalog and the recovery sheet. */
    private record Recovering(long timeline, String from, String through, long segments, String gap, Instant until) {
    }

    /**
     * The job's archived WAL from the oldest exported base backup's first segment on, up to the newest archived (any
     * timeline from the base backups' own), and every timeline history file: enough for a recovery to any time after each
     * exported base backup. Each base backup's chain is checked for gaps by name.
     */
    private void planWal(String job, List<Chosen> bases, List<Planned> planned, List<ExportCatalog.WalSet> walSets,
                         Map<String, Recovering> recoveries, Map<String, Set<String>> keyJobs,
                         Map<String, Manifest.Encryption> keyInfo, List<String> warnings) throws IOException {
        long segmentSize = Long.parseLong(bases.get(0).manifest().details().get("walSegmentSize"));
        WalNames.Segment oldest = bases.stream().map(c -> PostgresPhysicalSource.startSegment(c.manifest()).orElseThrow())
                .min(Comparator.comparingLong(WalNames.Segment::number)).orElseThrow();
        long lowestTimeline = bases.stream().mapToLong(c -> PostgresPhysicalSource.startSegment(c.manifest()).orElseThrow()
                .timeline()).min().orElseThrow();
        Map<String, List<Store>> where = new TreeMap<>();
        for (String name : stores.names()) {
            Store store = stores.get(name);
            for (String file : wal.archived(job, store)) {
                where.computeIfAbsent(file, f -> new ArrayList<>()).add(store);
            }
        }
        List<String> names = where.keySet().stream().filter(name -> {
            if (name.endsWith(".history")) {
                return true;
            }
            return WalNames.parse(name.substring(0, 24), segmentSize)
                    .map(s -> s.number() >= oldest.number() && s.timeline() >= lowestTimeline).orElse(false);
        }).toList();
        Map<String, Manifest> manifests = new TreeMap<>();
        List<ExportCatalog.FileRef> files = new ArrayList<>();
        long bytes = 0;
        Instant lastTransaction = null;
        Set<Long> timelines = new TreeSet<>();
        for (String name : names) {
            String manifestKey = WalArchive.prefix(job) + name + ".json";
            byte[] manifestBytes = null;
            Manifest manifest = null;
            List<Store> from = new ArrayList<>(where.get(name));
            List<String> failures = new ArrayList<>();
            for (Store store : where.get(name)) {
                try (InputStream in = store.get(manifestKey)) {
                    manifestBytes = in.readAllBytes();
                    manifest = Manifest.read(new java.io.ByteArrayInputStream(manifestBytes));
                    if (!name.equals(manifest.backupId()) || !job.equals(manifest.job())) {
                        throw new IOException(manifestKey + " describes " + manifest.job() + "/" + manifest.backupId());
                    }
                    from.remove(store);
                    from.add(0, store);
                    break;
                } catch (IOException | RuntimeException e) {
                    failures.add("store '" + store.name() + "': " + e.getMessage());
                    manifest = null;
                }
            }
            if (manifest == null) {
                throw new IOException("the manifest of WAL file " + name + " of job " + job + " cannot be read from any store: "
                        + String.join("; ", failures));
            }
            manifests.put(name, manifest);
            String dataKey = WalArchive.prefix(job) + manifest.artefact().storedName();
            Sha256Listing.requireListable(dataKey);
            String what = "WAL file " + name + " of job " + job;
            planned.add(new Planned(dataKey, manifest.artefact().storedSize(), manifest.artefact().storedSha256(), what, from,
                    null, null));
            String manifestSha = Sha256.hex(Sha256.newDigest().digest(manifestBytes));
            planned.add(new Planned(manifestKey, manifestBytes.length, manifestSha, what, List.of(), manifestBytes, null));
            files.add(new ExportCatalog.FileRef(dataKey, manifest.artefact().storedSize(), manifest.artefact().storedSha256(), 1));
            files.add(new ExportCatalog.FileRef(manifestKey, manifestBytes.length, manifestSha, 1));
            bytes += manifest.artefact().storedSize() + manifestBytes.length;
            timelines.add(name.endsWith(".history") ? WalNames.historyTimeline(name) : Long.parseLong(name.substring(0, 8), 16));
            String last = manifest.details() == null ? null : manifest.details().get("lastXactTime");
            if (last != null && (lastTransaction == null || Instant.parse(last).isAfter(lastTransaction))) {
                lastTransaction = Instant.parse(last);
            }
            if (manifest.encryption() != null) {
                keyJobs.computeIfAbsent(manifest.encryption().keyId(), id -> new TreeSet<>()).add(job);
                keyInfo.putIfAbsent(manifest.encryption().keyId(), manifest.encryption());
            }
        }
        if (!names.isEmpty()) {
            Planned last = planned.remove(planned.size() - 1);
            planned.add(new Planned(last.key(), last.size(), last.sha256(), last.what(), last.from(), last.bytes(),
                    names.size() + " WAL files of job " + job + " (" + names.get(0) + " .. " + names.get(names.size() - 1) + ", "
                            + Bytes.human(bytes) + ")"));
            walSets.add(new ExportCatalog.WalSet(job, List.copyOf(timelines), names.get(0), names.get(names.size() - 1),
                    names.size(), bytes, lastTransaction, files));
        }
        Set<String> exported = new TreeSet<>(names);
        for (Chosen base : bases) {
            recoveries.put(base.entry().backupId(), chain(job, base, exported, where, manifests, segmentSize, warnings));
        }
    }

    /** The chain a recovery from {@code base} would follow through the exported WAL (the latest timeline, as PostgreSQL). */
    private Recovering chain(String job, Chosen base, Set<String> exported, Map<String, List<Store>> where,
                             Map<String, Manifest> manifests, long segmentSize, List<String> warnings) {
        WalNames.Segment start = PostgresPhysicalSource.startSegment(base.manifest()).orElseThrow();
        com.mking.backup.source.postgres.wal.Lsn startLsn = com.mking.backup.source.postgres.wal.Lsn.parse(
                base.manifest().details().get("startLsn"));
        long newest = start.timeline();
        while (exported.contains(WalNames.historyName(newest + 1))) {
            newest++;
        }
        TimelineHistory path = null;
        // the newest timeline whose history holds the base backup, as PostgreSQL's recovery_target_timeline = latest
        for (long timeline = newest; timeline >= start.timeline() && path == null; timeline--) {
            if (timeline == 1) {
                path = TimelineHistory.first();
                break;
            }
            if (!exported.contains(WalNames.historyName(timeline))) {
                continue;
            }
            try {
                TimelineHistory candidate = wal.history(job, timeline, where.get(WalNames.historyName(timeline)).get(0))
                        .orElseThrow();
                if (candidate.reachableFrom(start.timeline(), startLsn)) {
                    path = candidate;
                }
            } catch (IOException | RuntimeException e) {
                warnings.add("the WAL chain of base backup " + base.entry().backupId() + " was not checked: timeline " + timeline
                        + "'s history cannot be read here (" + e.getMessage() + ")");
                return new Recovering(timeline, start.name(segmentSize), null, 0, null, null);
            }
        }
        if (path == null) {
            warnings.add("the WAL chain of base backup " + base.entry().backupId() + " was not checked: the history of its "
                    + "timeline " + start.timeline() + " is not in the archive");
            return new Recovering(start.timeline(), start.name(segmentSize), null, 0, null, null);
        }
        WalChain.Result chain = WalChain.verify(exported, start, segmentSize, path);
        Instant until = null;
        List<String> chainFiles = chain.files();
        for (int i = chainFiles.size() - 1; i >= 0 && until == null; i--) {
            Manifest m = manifests.get(chainFiles.get(i));
            String time = m == null || m.details() == null ? null : m.details().get("lastXactTime");
            until = time == null ? null : Instant.parse(time);
        }
        if (!chain.complete()) {
            warnings.add("the archived WAL of job " + job + " has a gap after base backup " + base.entry().backupId() + ": "
                    + chain.missing().get() + " is missing, so point-in-time recovery from it stops before that segment "
                    + "('mking-backup wal-verify " + job + "' checks the archive)");
        }
        return new Recovering(chain.timeline(), chain.start(), chain.newest(), chain.segments(), chain.missing().orElse(null),
                until);
    }

    private ExportCatalog.Backup backupEntry(Chosen c, Recovering recovering) {
        Manifest m = c.manifest();
        List<ExportCatalog.FileRef> files = new ArrayList<>();
        for (Manifest.Artefact artefact : m.artefacts()) {
            files.add(new ExportCatalog.FileRef(Manifest.dataKey(c.manifestKey(), artefact), artefact.storedSize(),
                    artefact.storedSha256(), 1));
        }
        files.add(new ExportCatalog.FileRef(c.manifestKey(), c.manifestBytes().length,
                Sha256.hex(Sha256.newDigest().digest(c.manifestBytes())), 1));
        ExportCatalog.Recovery recovery = recovering == null ? null : new ExportCatalog.Recovery(recovering.timeline(),
                recovering.from(), recovering.through(), recovering.segments(), recovering.gap(), recovering.until());
        return new ExportCatalog.Backup(m.backupId(), m.job(), m.source(), m.method(), m.startedAt(), m.finishedAt(), m.rawSize(),
                m.storedSize(), m.storedSha256(), m.rawSha256(), m.compression(), m.encryption(), c.entry().verification(),
                c.manifestKey(), c.from().get(0).name(), files, recovery);
    }

    /**
     * Volumes of at most {@code volumeSize}, each keeping room for its catalog, sheet and listing (their size depends on
     * the plan: planned again until the room kept is enough). A file too large fails here, before anything is copied.
     */
    private List<List<Planned>> planVolumes(List<Planned> planned, ExportCatalog draft, Long volumeSize) {
        if (volumeSize == null) {
            return List.of(planned);
        }
        Map<String, Planned> byKey = new LinkedHashMap<>();
        planned.forEach(p -> byKey.put(p.key(), p));
        List<VolumePlan.Item> items = planned.stream().map(p -> new VolumePlan.Item(p.key(), p.size(), p.what())).toList();
        long metadata = metadataSize(draft);
        for (int attempt = 0; ; attempt++) {
            List<List<VolumePlan.Item>> plan = VolumePlan.plan(items, volumeSize, metadata, "--volume-size");
            List<List<Planned>> volumes = plan.stream().map(volume -> volume.stream().map(item -> byKey.get(item.key())).toList())
                    .toList();
            ExportCatalog exported = withVolumes(draft, volumes);
            long needed = 0;
            for (int v = 1; v <= volumes.size(); v++) {
                needed = Math.max(needed, metadataSize(exported.inVolume(v)));
            }
            if (needed <= metadata || attempt >= 8) {
                return volumes;
            }
            metadata = needed + needed / 20 + 512;
        }
    }

    private long metadataSize(ExportCatalog catalog) {
        return catalog.toJson().length + RecoverySheet.text(catalog, keyDir).getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + Sha256Listing.lineLength(ExportCatalog.FILE_NAME) + Sha256Listing.lineLength(RecoverySheet.FILE_NAME);
    }

    /** The catalog with every file's volume number and the volume count. */
    private static ExportCatalog withVolumes(ExportCatalog draft, List<List<Planned>> volumes) {
        Map<String, Integer> volumeOf = new java.util.HashMap<>();
        for (int v = 0; v < volumes.size(); v++) {
            for (Planned p : volumes.get(v)) {
                volumeOf.put(p.key(), v + 1);
            }
        }
        java.util.function.UnaryOperator<List<ExportCatalog.FileRef>> placed = files -> files.stream()
                .map(f -> new ExportCatalog.FileRef(f.key(), f.size(), f.sha256(), volumeOf.getOrDefault(f.key(), 1))).toList();
        List<ExportCatalog.Backup> backups = draft.backups().stream().map(b -> new ExportCatalog.Backup(b.backupId(), b.job(),
                b.source(), b.method(), b.startedAt(), b.finishedAt(), b.rawSize(), b.storedSize(), b.sha256(), b.rawSha256(),
                b.compression(), b.encryption(), b.verification(), b.manifestKey(), b.copiedFrom(), placed.apply(b.files()),
                b.recovery())).toList();
        List<ExportCatalog.WalSet> walSets = draft.wal().stream().map(w -> new ExportCatalog.WalSet(w.job(), w.timelines(),
                w.first(), w.last(), w.count(), w.bytes(), w.lastTransaction(), placed.apply(w.files()))).toList();
        List<ExportCatalog.SharedSet> shared = draft.shared().stream().map(s -> new ExportCatalog.SharedSet(s.job(), s.kind(),
                placed.apply(s.files()))).toList();
        return new ExportCatalog(draft.format(), draft.createdAt(), draft.createdBy(), draft.host(), draft.selection(),
                draft.volumeSize(), volumes.size(), 1, backups, walSets, shared, draft.keys(), draft.files(), draft.bytes());
    }

    private void write(Path to, List<List<Planned>> volumes, ExportCatalog exported, boolean inVolumes, Consumer<String> progress,
                       List<String> warnings) throws IOException {
        boolean created = !Files.exists(to);
        progress.accept("exporting " + exported.files() + " files (" + Bytes.human(exported.bytes()) + ") to " + to
                + (inVolumes ? " in " + volumes.size() + " volume(s) of at most " + ByteSize.ceil(exported.volumeSize()) : ""));
        try {
            Files.createDirectories(to);
            List<List<Sha256Listing.Line>> listings = new ArrayList<>();
            for (int v = 0; v < volumes.size(); v++) {
                Path dir = inVolumes ? Files.createDirectories(to.resolve(VolumePlan.directory(v + 1))) : to;
                if (inVolumes) {
                    progress.accept("volume " + (v + 1) + " of " + volumes.size() + ": " + dir);
                }
                List<Sha256Listing.Line> lines = new ArrayList<>();
                Set<String> readFrom = new LinkedHashSet<>();
                for (Planned p : volumes.get(v)) {
                    String store = copy(p, dir, warnings);
                    if (store != null) {
                        readFrom.add(store);
                    }
                    lines.add(new Sha256Listing.Line(p.sha256(), p.key()));
                    if (p.done() != null) {
                        progress.accept("  " + p.done() + (readFrom.isEmpty() ? "" : " from store " + String.join(", ",
                                readFrom.stream().map(s -> "'" + s + "'").toList())));
                        readFrom.clear();
                    }
                }
                ExportCatalog inVolume = exported.inVolume(v + 1);
                byte[] catalogBytes = inVolume.toJson();
                writeAtomically(dir, ExportCatalog.FILE_NAME, catalogBytes);
                lines.add(new Sha256Listing.Line(Sha256.hex(Sha256.newDigest().digest(catalogBytes)), ExportCatalog.FILE_NAME));
                byte[] sheet = RecoverySheet.text(inVolume, keyDir).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                writeAtomically(dir, RecoverySheet.FILE_NAME, sheet);
                lines.add(new Sha256Listing.Line(Sha256.hex(Sha256.newDigest().digest(sheet)), RecoverySheet.FILE_NAME));
                listings.add(lines);
            }
            // every file is fsynced as written; their directory entries too before the listings say the export is whole
            try (Stream<Path> dirs = Files.walk(to)) {
                dirs.filter(Files::isDirectory).forEach(Exporter::fsync);
            }
            // last of all: a directory without its listing is an export that did not finish
            for (int v = 0; v < volumes.size(); v++) {
                Path dir = inVolumes ? to.resolve(VolumePlan.directory(v + 1)) : to;
                writeAtomically(dir, Sha256Listing.FILE_NAME, Sha256Listing.text(listings.get(v))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                fsync(dir);
            }
            fsync(to);
        } catch (IOException | RuntimeException | Error e) {
            removeQuietly(to, created, e);
            throw e;
        }
    }

    /**
     * Copies one file into the volume: from the first store whose copy has the manifest's size and SHA-256 (checked as it
     * streams), a bad or unreadable copy named and the next store tried. Returns the store read, or null for bytes
     * written from memory (a manifest).
     */
    private String copy(Planned p, Path dir, List<String> warnings) throws IOException {
        if (p.bytes() != null) {
            writeAtomically(dir, p.key(), p.bytes());
            return null;
        }
        Path target = resolve(dir, p.key());
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(PARTIAL_PREFIX + target.getFileName());
        List<String> failures = new ArrayList<>();
        byte[] buffer = new byte[BUFFER];
        for (Store store : p.from()) {
            String failure = null;
            MessageDigest digest = Sha256.newDigest();
            long size = 0;
            InputStream in = null;
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                try {
                    in = store.get(p.key());
                } catch (FileNotFoundException e) {
                    failure = "missing";
                } catch (IOException | RuntimeException e) {
                    failure = "cannot be read: " + e.getMessage();
                }
                while (in != null) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException | RuntimeException e) {
                        failure = "cannot be read: " + e.getMessage();
                        break;
                    }
                    if (n < 0) {
                        break;
                    }
                    digest.update(buffer, 0, n);
                    size += n;
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        out.write(chunk); // a failing write (the medium is full) fails the export, not this copy
                    }
                }
                if (failure == null) {
                    String sha = Sha256.hex(digest.digest());
                    if (size != p.size()) {
                        failure = "size " + size + " instead of " + p.size() + " (SHA-256 " + sha + ")";
                    } else if (!sha.equals(p.sha256())) {
                        failure = "SHA-256 " + sha + " instead of " + p.sha256();
                    } else {
                        out.force(true);
                    }
                }
            } finally {
                if (in != null) {
                    try {
                        in.close();
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("closing {} of store '{}': {}", p.key(), store.name(), e.getMessage());
                    }
                }
            }
            if (failure != null) {
                Files.deleteIfExists(partial);
                failures.add(p.key() + " in store '" + store.name() + "' " + (failure.equals("missing") ? "is missing"
                        : failure.startsWith("cannot") ? failure : "is bad: " + failure));
                LOG.warn("export: {} ({}) in store '{}': {}", p.key(), p.what(), store.name(), failure);
                continue;
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            if (!failures.isEmpty()) {
                warnings.add(String.join("; ", failures) + ": copied from store '" + store.name() + "' instead ('mking-backup "
                        + "verify' checks the copies)");
            }
            return store.name();
        }
        throw new IOException("no good copy of " + p.key() + " (" + p.what() + "): " + String.join("; ", failures)
                + ". The export was removed; repair or re-run the backup, or export without it");
    }

    /** Writes bytes under a temporary name, fsyncs them and renames them into place. */
    private static void writeAtomically(Path dir, String key, byte[] bytes) throws IOException {
        Path target = resolve(dir, key);
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(PARTIAL_PREFIX + target.getFileName());
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static Path resolve(Path dir, String key) {
        Path path = dir.resolve(key).normalize();
        if (!path.startsWith(dir) || key.startsWith("/") || path.equals(dir)) {
            throw new IllegalArgumentException("the key '" + key + "' escapes the export directory");
        }
        return path;
    }

    private static void fsync(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("fsync of {} failed: {}", dir, e.getMessage());
        }
    }

    /** A failed export leaves nothing that looks like one: what it wrote goes (the directory was empty or new). */
    private static void removeQuietly(Path to, boolean created, Throwable cause) {
        if (!Files.isDirectory(to)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(to)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(to) || created) {
                    Files.deleteIfExists(path);
                }
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
