package com.mking.backup.source.files;

import com.fasterxml.jackson.databind.MappingIterator;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.CorruptArtefactException;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Verification of a snapshot's packs in one store: every pack it references is read and compared with its stored size
 * and SHA-256; a sample of files (different every day: a reservoir sample seeded by the date) is decoded from its packs
 * and compared with the index's SHA-256. {@code readAll}: every pack is decoded to its end (both SHA-256s, every segment
 * authenticated) and every file compared.
 */
final class SnapshotCheck {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotCheck.class);

    private final ArtefactReader reader;

    SnapshotCheck(ArtefactReader reader) {
        this.reader = reader;
    }

    String check(String job, Store store, String manifestKey, Manifest manifest, int sampleFiles, boolean readAll)
            throws IOException {
        Manifest.Artefact table = manifest.artefact(SnapshotIndex.PACKS);
        Map<String, PackRecord> packs;
        try (InputStream raw = reader.openRaw(store, Manifest.dataKey(manifestKey, table), manifest, table)) {
            packs = SnapshotRestore.packTable(raw);
        }
        java.util.Set<String> marked = PackRecord.damagedIn(store, job);
        if (!readAll) { // --read-all decodes every pack below, which compares these too
            for (PackRecord pack : packs.values()) {
                try {
                    reader.verifyStored(store, pack.key(), pack.artefact());
                } catch (CorruptArtefactException e) {
                    markDamaged(job, store, pack.id(), e);
                    throw e;
                }
                if (marked.contains(pack.id())) { // put back (from another store, a restored disk): it counts again
                    store.delete(PackRecord.damagedMarker(job, pack.id()));
                    LOG.info("job {}: pack {} matches its SHA-256 again in store '{}': its damaged mark is removed (the "
                            + "backups marked failed for it there are good again once verified)", job, pack.id(), store.name());
                }
            }
        }
        List<FileEntry> sample = sample(store, manifestKey, manifest, readAll ? Integer.MAX_VALUE : sampleFiles);
        Map<String, List<SnapshotRestore.Piece>> byPack = SnapshotRestore.piecesByPack(sample, packs);
        try {
            readSample(job, store, packs, byPack, sample, readAll);
        } catch (DamagedPackException e) {
            markDamaged(job, store, e.packId(), e);
            throw e;
        }
        return packs.size() + " packs" + (readAll ? " decoded" : " matching their stored SHA-256") + ", " + sample.size() + " file(s) "
                + (readAll ? "" : "sampled, ") + "decoded and matching their SHA-256";
    }

    /**
     * Leaves a marker beside the pack in the store where it failed: later snapshots store its content again instead of
     * referring to it (FilesSource.previous), so new snapshots restore from this store again. Best effort: the
     * verification's failure is recorded and alerted either way.
     */
    private static void markDamaged(String job, Store store, String packId, Exception cause) {
        try {
            store.put(PackRecord.damagedMarker(job, packId), new java.io.ByteArrayInputStream(("failed verification at "
                    + java.time.Instant.now() + ": " + cause.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: pack {} failed verification in store '{}'; marking it there failed too ({}): later snapshots "
                    + "may build on it until it is removed", job, packId, store.name(), e.getMessage());
        }
    }

    private void readSample(String job, Store store, Map<String, PackRecord> packs,
                            Map<String, List<SnapshotRestore.Piece>> byPack, List<FileEntry> sample, boolean readAll)
            throws IOException {
        SnapshotRestore.readPieces(reader, store, job, packs, byPack, readAll, (piece, bytes) -> {
            MessageDigest digest = Sha256.newDigest();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = bytes.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            if (!Sha256.hex(digest.digest()).equals(piece.sha256())) {
                throw new CorruptArtefactException(sample.get(piece.file()).path() + " does not match its SHA-256 when decoded"
                        + " from pack " + piece.blob().pack() + " in store '" + store.name() + "'");
            }
        });
    }

    /** Up to {@code size} files with content, picked evenly from the whole index by a reservoir seeded with today's date. */
    private List<FileEntry> sample(Store store, String manifestKey, Manifest manifest, int size) throws IOException {
        Manifest.Artefact index = manifest.artefact(SnapshotIndex.FILES);
        List<FileEntry> chosen = new ArrayList<>();
        Random random = new Random(LocalDate.now().toEpochDay() * 31 + manifest.backupId().hashCode());
        long seen = 0;
        try (InputStream raw = reader.openRaw(store, Manifest.dataKey(manifestKey, index), manifest, index);
             MappingIterator<FileEntry> entries = SnapshotIndex.entries(raw)) {
            while (entries.hasNext()) {
                FileEntry entry = entries.next();
                if (!entry.isFile() || entry.blobs() == null || entry.blobs().isEmpty()) {
                    continue;
                }
                seen++;
                if (chosen.size() < size) {
                    chosen.add(entry);
                } else {
                    long slot = (long) (random.nextDouble() * seen);
                    if (slot < size) {
                        chosen.set((int) slot, entry);
                    }
                }
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return chosen;
    }
}
