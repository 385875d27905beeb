package com.mking.backup.source.postgres.wal;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.retention.Pruner;
import com.mking.backup.source.postgres.PostgresPhysicalSource;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Retention of a pg-physical job, store by store: the newest {@code keepLast} base backups whose copy in the store
 * is good stay; older ones are deleted there (manifest first, then data; audited). WAL older than the oldest kept
 * base backup's first segment is pruned from that store; WAL a kept base backup needs is never touched, and timeline
 * history files stay.
 */
public final class BaseBackupRetention implements PostgresPhysicalSource.WalRetention {

    private static final Logger LOG = LoggerFactory.getLogger(BaseBackupRetention.class);

    private final Catalog catalog;
    private final StoreRegistry stores;
    private final WalArchive archive;

    public BaseBackupRetention(Catalog catalog, StoreRegistry stores, WalArchive archive) {
        this.catalog = catalog;
        this.stores = stores;
        this.archive = archive;
    }

    @Override
    public void apply(JobSpec job) throws IOException {
        int keep = Integer.parseInt(job.parameter("keepLast",
                Integer.toString(com.mking.backup.source.postgres.PostgresPhysicalSource.DEFAULT_KEEP_LAST)));
        Pruner pruner = new Pruner(catalog, stores, java.time.ZoneOffset.UTC, null, ignored -> keep);
        for (StoreDecision decision : decide(catalog.restorable(job.name()), job.stores(), keep)) {
            String store = decision.store();
            for (CatalogEntry old : decision.older()) {
                Optional<String> keptBy = pruner.keptByStore(old, store);
                if (keptBy.isPresent()) {
                    LOG.info("job {}: backup {} stays in store '{}' ({})", job.name(), old.backupId(), store, keptBy.get());
                    continue;
                }
                try {
                    pruner.deleteCopy(old, store, "retention: keepLast " + keep);
                } catch (IOException e) { // one store's failure must not keep the others (or their WAL) from being pruned
                    LOG.warn("job {}: the copy of backup {} in store '{}' could not be deleted ({}); retention tries again "
                            + "after the next backup", job.name(), old.backupId(), store, e.getMessage());
                }
            }
            if (job.stores().contains(store)) {
                pruneWal(job, stores.get(store), decision.oldestKept());
            }
        }
    }

    /** In one store: the oldest base backup kept there, and the older ones whose copies there go. */
    public record StoreDecision(String store, CatalogEntry oldestKept, List<CatalogEntry> older) {
    }

    /**
     * Each store by its own copies ({@code restorable}: newest first): its newest {@code keep} bases whose copy there is
     * good stay, even when another store's copies of them are bad; a copy that failed verification neither counts nor
     * goes by this rule. A store with no good base gets no decision (its copies and WAL stay). Stores: the job's,
     * then any other that holds a copy.
     */
    public static List<StoreDecision> decide(List<CatalogEntry> restorable, List<String> jobStores, int keep) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(jobStores);
        restorable.forEach(entry -> names.addAll(entry.storeNames()));
        List<StoreDecision> decisions = new java.util.ArrayList<>();
        for (String store : names) {
            List<CatalogEntry> good = restorable.stream().filter(entry -> entry.goodIn(store)).toList();
            if (!good.isEmpty()) {
                int kept = Math.max(1, Math.min(keep, good.size()));
                decisions.add(new StoreDecision(store, good.get(kept - 1), good.subList(kept, good.size())));
            }
        }
        return decisions;
    }

    /** Deletes the WAL in {@code store} that is older than the first segment {@code oldestKept} needs. */
    public void pruneWal(JobSpec job, Store store, CatalogEntry oldestKept) throws IOException {
        Optional<Manifest> manifest = manifestOf(oldestKept, stores);
        Optional<WalNames.Segment> start = manifest.flatMap(PostgresPhysicalSource::startSegment);
        if (start.isEmpty() || !"pg-physical".equals(job.source()) || store.appendOnly()) {
            return;
        }
        long segmentSize = Long.parseLong(manifest.get().details().get("walSegmentSize"));
        List<String> prunable = WalChain.prunable(archive.archived(job.name(), store), start.get(), segmentSize);
        int deleted = 0;
        for (String file : prunable) { // oldest first: once one is still locked, so are the younger ones
            Optional<java.time.Instant> locked = store.lockedUntil(WalArchive.manifestKey(job.name(), file));
            if (locked.isPresent()) {
                LOG.info("job {}: WAL from {} on stays in store '{}' while its object lock lasts (until {})", job.name(),
                        file, store.name(), locked.get());
                break;
            }
            archive.delete(job.name(), store, file);
            deleted++;
        }
        if (deleted > 0) {
            LOG.info("retention pruned {} WAL files of job {} from store '{}' (older than {})", deleted,
                    job.name(), store.name(), start.get().name(segmentSize));
        }
    }

    /** The manifest of a catalogued backup, read from the first configured store holding a copy. */
    public static Optional<Manifest> manifestOf(CatalogEntry entry, StoreRegistry stores) {
        for (CatalogEntry.Copy copy : entry.copies()) {
            if (stores.contains(copy.store())) {
                try {
                    return Optional.of(Manifest.read(stores.get(copy.store()).get(copy.manifestKey())));
                } catch (IOException e) {
                    LOG.warn("cannot read the manifest of backup {} in store '{}': {}", entry.backupId(), copy.store(),
                            e.getMessage());
                }
            }
        }
        return Optional.empty();
    }
}
