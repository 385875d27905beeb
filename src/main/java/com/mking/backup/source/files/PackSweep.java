package com.mking.backup.source.files;

import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.SharedData;
import com.mking.backup.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reference-safe removal of a files job's packs in one store: every manifest of the job still in the store (the store
 * is the truth, not the audit catalog) marks the packs its {@code packs.idx} lists; only unmarked packs go. A snapshot
 * that cannot be read stops the sweep before anything is deleted. Runs under the job's lock (no backup is writing
 * packs nobody references yet).
 */
final class PackSweep {

    private static final Logger LOG = LoggerFactory.getLogger(PackSweep.class);

    private final ArtefactReader reader;

    PackSweep(ArtefactReader reader) {
        this.reader = reader;
    }

    SharedData.Sweep sweep(String job, Store store, Set<String> going, boolean dryRun) throws IOException {
        if (store.appendOnly()) { // its privileged configuration sweeps it
            return new SharedData.Sweep(0, List.of(), 0);
        }
        List<String> keys = store.list(job + "/");
        Set<String> referenced = new HashSet<>();
        List<String> packKeys = new ArrayList<>();
        for (String key : keys) {
            if (key.startsWith(PackRecord.prefix(job))) {
                packKeys.add(key);
            } else if (key.endsWith("/" + Manifest.FILE_NAME)) {
                Manifest manifest;
                try {
                    manifest = Manifest.read(store.get(key));
                } catch (IOException e) {
                    throw new IOException("manifest " + key + " in store '" + store.name() + "' cannot be read, so no pack "
                            + "is removed: " + e.getMessage(), e);
                }
                if (going.contains(manifest.backupId()) || manifest.artefacts().stream()
                        .noneMatch(artefact -> artefact.name().equals(SnapshotIndex.PACKS))) {
                    continue; // being pruned, or not a snapshot (the job had another source once)
                }
                Manifest.Artefact table = manifest.artefact(SnapshotIndex.PACKS);
                try (InputStream raw = reader.openRaw(store, Manifest.dataKey(key, table), manifest, table)) {
                    referenced.addAll(SnapshotRestore.packTable(raw).keySet());
                } catch (IOException e) {
                    throw new IOException("the pack table of snapshot " + manifest.backupId() + " in store '" + store.name()
                            + "' cannot be read, so no pack is removed: " + e.getMessage(), e);
                }
            }
        }
        List<String> unreferenced = new ArrayList<>();
        long bytes = 0;
        for (String key : packKeys) {
            // a pack still under an S3 object lock stays until a sweep after the lock ends
            if (!referenced.contains(PackRecord.idOf(key)) && store.lockedUntil(key).isEmpty()) {
                unreferenced.add(key);
                bytes += store.size(key).orElse(0L);
            }
        }
        if (!dryRun) {
            for (String key : unreferenced) {
                store.delete(key);
            }
            if (!unreferenced.isEmpty()) {
                LOG.info("job {}: removed {} pack(s) no snapshot references from store '{}' ({} bytes); {} kept", job,
                        unreferenced.size(), store.name(), bytes, packKeys.size() - unreferenced.size());
            }
        }
        return new SharedData.Sweep(packKeys.size() - unreferenced.size(), unreferenced, bytes);
    }
}
