package com.mking.backup.export;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogRebuilder;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.report.Bytes;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalInspection;
import com.mking.backup.source.postgres.wal.WalNames;
import com.mking.backup.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Makes an export restorable where it is imported: the export is checked first (as {@code export --verify}: nothing
 * is imported from a damaged one), its files are copied into a store without replacing anything there (a key already
 * holding the same bytes is skipped, one holding other bytes stops the import before anything is copied), data before
 * manifests, each checked again as it is copied; then the backups are added to the catalog and the WAL's restore
 * points recorded. Importing the same export twice adds nothing the second time.
 */
public final class Importer {

    private static final Logger LOG = LoggerFactory.getLogger(Importer.class);

    private final CatalogRebuilder rebuilder;
    private final Catalog catalog;

    public Importer(CatalogRebuilder rebuilder, Catalog catalog) {
        this.rebuilder = rebuilder;
        this.catalog = catalog;
    }

    /** The export's check failed: nothing was imported. */
    public static final class DamagedExportException extends IOException {
        private final transient ExportVerifier.Report report;

        DamagedExportException(ExportVerifier.Report report) {
            super("the export at " + report.directory() + " is damaged (" + report.problems().size() + " problem(s): "
                    + String.join("; ", report.problems().subList(0, Math.min(3, report.problems().size())))
                    + (report.problems().size() > 3 ? "; ..." : "") + "); nothing was imported");
            this.report = report;
        }

        public ExportVerifier.Report report() {
            return report;
        }
    }

    /** What an import did. */
    public record Result(ExportVerifier.Report checked, String store, int copied, long bytes, int alreadyThere,
                         List<String> heldBack, CatalogRebuilder.Added catalog, int restorePoints) {
    }

    public Result importInto(Path dir, Store store, Consumer<String> progress) throws IOException {
        ExportVerifier.Report report = ExportVerifier.verify(dir, "import DIR:");
        if (!report.passed()) {
            throw new DamagedExportException(report);
        }
        progress.accept("checked " + report.files() + " files (" + Bytes.human(report.bytes()) + ") of " + dir
                + (report.inVolumes() ? " in " + report.listings().size() + " volume(s)" : "") + ": every SHA-256 matches");
        // before anything is copied: a key the store holds with other bytes stops the import
        List<Copy> toCopy = new ArrayList<>();
        int alreadyThere = 0;
        List<String> conflicts = new ArrayList<>();
        for (ExportVerifier.Volume volume : report.volumes()) {
            Map<String, String> listing = report.listings().get(volume.number());
            for (String key : ExportVerifier.importOrder(listing)) {
                String sha256 = listing.get(key);
                if (store.size(key).isPresent()) {
                    String existing = store.storedSha256(key).orElse(null);
                    if (existing == null) {
                        existing = Sha256.of(store.get(key)).sha256();
                    }
                    if (existing.equals(sha256)) {
                        alreadyThere++;
                    } else {
                        conflicts.add(key);
                    }
                    continue;
                }
                toCopy.add(new Copy(volume, key, sha256));
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("store '" + store.name() + "' already holds " + conflicts.size() + " of the "
                    + "export's keys with other content (" + String.join(", ", conflicts.subList(0, Math.min(3, conflicts.size())))
                    + (conflicts.size() > 3 ? ", ..." : "") + "); nothing was imported and nothing is ever replaced: import "
                    + "into another store (--into STORE)");
        }
        // data first, manifests last, across all volumes: a backup is complete in the store only once its data is
        toCopy.sort(java.util.Comparator.comparing((Copy copy) -> copy.key().endsWith(".json")));
        Map<String, List<String>> shared = new java.util.HashMap<>();
        if (report.catalog() != null) {
            report.catalog().shared().forEach(set -> shared.computeIfAbsent(set.job(), job -> new ArrayList<>())
                    .addAll(set.files().stream().map(ExportCatalog.FileRef::key).toList()));
        }
        List<String> heldBack = holdBack(store, toCopy, shared);
        heldBack.forEach(reason -> progress.accept("held back: " + reason));
        long bytes = 0;
        for (Copy copy : toCopy) {
            bytes += put(store, copy);
        }
        if (!toCopy.isEmpty()) {
            progress.accept("copied " + toCopy.size() + " files (" + Bytes.human(bytes) + ") into store '" + store.name() + "'"
                    + (alreadyThere > 0 ? "; " + alreadyThere + " were there already" : ""));
        } else {
            progress.accept("store '" + store.name() + "' already holds all " + alreadyThere + " files");
        }
        List<String> manifests = new ArrayList<>();
        List<String> walManifests = new ArrayList<>();
        for (Map<String, String> listing : report.listings().values()) {
            for (String key : listing.keySet()) {
                boolean backupManifest = key.endsWith("/" + Manifest.FILE_NAME);
                boolean walManifest = key.matches("[^/]+/wal/[^/]+\\.json");
                if ((backupManifest || walManifest) && store.size(key).isPresent()) { // absent: held back
                    (backupManifest ? manifests : walManifests).add(key);
                }
            }
        }
        CatalogRebuilder.Added added = rebuilder.add(store, manifests, "import");
        int points = 0;
        for (String key : walManifests) {
            String file = key.substring(key.lastIndexOf('/') + 1, key.length() - ".json".length());
            if (!WalNames.isSegment(file)) {
                continue;
            }
            Manifest manifest = Manifest.read(store.get(key));
            for (WalInspection.RestorePoint point : WalArchive.restorePoints(manifest)) {
                catalog.recordRestorePoint(manifest.job(), file, Long.parseLong(file.substring(0, 8), 16), point.name(),
                        point.lsn().toString(), point.time());
                points++;
            }
        }
        return new Result(report, store.name(), toCopy.size(), bytes, alreadyThere, heldBack, added, points);
    }

    record Copy(ExportVerifier.Volume volume, String key, String sha256) {
    }

    /**
     * Removes from {@code toCopy} every manifest whose data is neither in the store nor imported now (one volume imported
     * before the one holding its data): a manifest is never stored before its data. Returns why each was held back.
     */
    static List<String> holdBack(Store store, List<Copy> toCopy) throws IOException {
        return holdBack(store, toCopy, Map.of());
    }

    /**
     * As {@link #holdBack(Store, List)}, and a backup of a job whose backups share objects ({@code shared}: a files job's
     * packs, by job, from the catalog) is held back until every one of them is in the store or imported now: a snapshot
     * whose packs are in a volume not imported yet would be catalogued and then fail to restore.
     */
    static List<String> holdBack(Store store, List<Copy> toCopy, Map<String, List<String>> shared) throws IOException {
        java.util.Set<String> coming = new java.util.HashSet<>();
        toCopy.forEach(copy -> coming.add(copy.key()));
        Map<String, Optional<String>> missingShared = new java.util.HashMap<>();
        for (Map.Entry<String, List<String>> job : shared.entrySet()) {
            Optional<String> missing = Optional.empty();
            for (String key : job.getValue()) {
                if (!coming.contains(key) && store.size(key).isEmpty()) {
                    missing = Optional.of(key);
                    break;
                }
            }
            missingShared.put(job.getKey(), missing);
        }
        List<String> reasons = new ArrayList<>();
        for (java.util.Iterator<Copy> it = toCopy.iterator(); it.hasNext(); ) {
            Copy copy = it.next();
            boolean backupManifest = copy.key().endsWith("/" + Manifest.FILE_NAME);
            boolean walManifest = copy.key().matches("[^/]+/wal/[^/]+\\.json");
            if (!backupManifest && !walManifest) {
                continue;
            }
            Manifest manifest = Manifest.read(Files.newInputStream(Exporter.resolve(copy.volume().directory(), copy.key())));
            Optional<String> missing = backupManifest ? missingShared.getOrDefault(manifest.job(), Optional.empty())
                    : Optional.empty();
            if (missing.isPresent()) {
                reasons.add(copy.key() + ": its job's shared data (" + missing.get() + ", ...) is in another volume; import "
                        + "that volume, then this one again");
                it.remove();
                continue;
            }
            for (Manifest.Artefact artefact : manifest.artefacts()) {
                String dataKey = walManifest ? copy.key().substring(0, copy.key().lastIndexOf('/') + 1) + artefact.storedName()
                        : Manifest.dataKey(copy.key(), artefact);
                if (!coming.contains(dataKey) && store.size(dataKey).isEmpty()) {
                    reasons.add(copy.key() + ": its data " + dataKey + " is in another volume; import that volume, then this "
                            + "one again");
                    it.remove();
                    break;
                }
            }
        }
        return reasons;
    }

    /**
     * Copies one file, checked again as it streams (the medium may read differently twice), then read back from the
     * store (nothing counts that the store cannot give back whole); a mismatch removes it.
     */
    static long put(Store store, Copy copy) throws IOException {
        Path file = Exporter.resolve(copy.volume().directory(), copy.key());
        MessageDigest digest = Sha256.newDigest();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            size = store.putReadBack(copy.key(), in);
        }
        String actual = Sha256.hex(digest.digest());
        if (!actual.equals(copy.sha256())) {
            store.delete(copy.key());
            throw new IOException(copy.key() + " read differently the second time (SHA-256 " + actual + ", listed "
                    + copy.sha256() + "): the medium is failing; it was not imported. Import again from a good copy");
        }
        String stored = store.storedSha256(copy.key()).orElse(null);
        if (stored == null) {
            stored = Sha256.of(store.get(copy.key())).sha256();
        }
        if (!stored.equals(copy.sha256())) {
            store.delete(copy.key());
            throw new IOException(copy.key() + " reads back from store '" + store.name() + "' differently (SHA-256 " + stored
                    + ", written " + copy.sha256() + "): it was not imported. Check the store, then import again");
        }
        LOG.debug("imported {} into store '{}' ({} bytes)", copy.key(), store.name(), size);
        return size;
    }
}
