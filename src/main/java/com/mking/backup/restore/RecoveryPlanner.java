package com.mking.backup.restore;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.PostgresPhysicalSource;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.wal.WalArchive;
import com.mking.backup.wal.WalChain;
import com.mking.backup.wal.WalNames;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Picks what a point-in-time recovery starts from: the newest base backup of the job that finished
 * before the target time (or the newest one), and checks before anything is written that the archived
 * WAL from that backup on has no gap.
 */
public final class RecoveryPlanner {

    private final Catalog catalog;
    private final StoreRegistry stores;
    private final WalArchive archive;

    public RecoveryPlanner(Catalog catalog, StoreRegistry stores, WalArchive archive) {
        this.catalog = catalog;
        this.stores = stores;
        this.archive = archive;
    }

    public record Plan(CatalogEntry base, Manifest manifest, Store store, WalChain.Result chain) {
    }

    public Plan plan(String job, Optional<Instant> target, String fromStore) throws IOException {
        List<CatalogEntry> candidates = catalog.restorable(job).stream()
                .filter(entry -> target.isEmpty()
                        || !entry.endTime().toInstant(ZoneOffset.UTC).isAfter(target.get()))
                .toList();
        if (candidates.isEmpty()) {
            throw new IOException("no successful base backup of job '" + job + "'"
                    + target.map(t -> " finished before " + t).orElse("") + " (mking-backup list --job " + job + ")");
        }
        CatalogEntry base = candidates.get(0);
        CatalogEntry.Copy copy = base.copies().stream()
                .filter(c -> fromStore == null ? stores.contains(c.store()) : c.store().equals(fromStore))
                .findFirst().orElseThrow(() -> new IOException("base backup " + base.backupId() + " has no copy in "
                        + (fromStore == null ? "a configured store" : "store '" + fromStore + "'")));
        Store store = stores.get(copy.store());
        Manifest manifest = Manifest.read(store.get(copy.manifestKey()));
        WalChain.Result chain = verifyChain(job, store, manifest);
        if (!chain.complete()) {
            throw new IOException("the WAL archive of job '" + job + "' in store '" + store.name() + "' has a gap: segment "
                    + chain.missing().get() + " is missing (needed after base backup " + base.backupId()
                    + "); recovery past it is impossible");
        }
        return new Plan(base, manifest, store, chain);
    }

    /** The WAL chain from the base backup in the manifest to the newest archived segment. */
    public WalChain.Result verifyChain(String job, Store store, Manifest manifest) throws IOException {
        WalNames.Segment start = PostgresPhysicalSource.startSegment(manifest).orElseThrow(() ->
                new IOException("base backup " + manifest.backupId() + " does not record its WAL start position"));
        long segmentSize = Long.parseLong(manifest.details().get("walSegmentSize"));
        return WalChain.verify(archive.archived(job, store), start, segmentSize);
    }
}
