package com.mking.backup.source.postgres.recovery;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.postgres.PostgresPhysicalSource;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.source.postgres.wal.Lsn;
import com.mking.backup.source.postgres.wal.TimelineHistory;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalChain;
import com.mking.backup.source.postgres.wal.WalNames;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides, before anything is written, what a point-in-time recovery starts from and whether it can reach
 * its target: the timeline to follow (through its history, as PostgreSQL does), the newest base backup
 * that can reach the target on that timeline, and an archived WAL chain without gaps from that backup to
 * the target. A target the archive does not hold (a time after its last transaction, a restore point it
 * never recorded) fails here, not after hours of replay.
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

    /** What recovery can start from and must reach. */
    public record Plan(CatalogEntry base, Manifest manifest, Store store, long timeline, TimelineHistory path,
                       WalChain.Result chain, RecoveryTarget target, Optional<Catalog.RestorePoint> restorePoint,
                       Optional<Instant> archiveEndsAt) {

        public long segmentSize() {
            return Long.parseLong(manifest.details().get("walSegmentSize"));
        }
    }

    /** The archive cannot bring the recovery there (a gap, a missing history file); nothing was written. */
    public static final class ImpossibleException extends IOException {
        ImpossibleException(String message) {
            super(message);
        }
    }

    /**
     * The target asked for is not one the archive holds (a later time, an unknown restore point, no base
     * backup reaching it): the operator's request, not the archive, is what to change. Nothing was written.
     */
    public static final class UnreachableTargetException extends IllegalArgumentException {
        UnreachableTargetException(String message) {
            super(message);
        }
    }

    public Plan plan(String job, RecoveryTarget target, TimelineChoice timeline, String backupId, String fromStore)
            throws IOException {
        List<CatalogEntry> bases = catalog.restorable(job);
        // a base with a damaged copy and a good one is recovered from the good one
        List<String> failedVerification = catalog.list(job, null, "success", 100_000).stream()
                .filter(entry -> !entry.copies().isEmpty() && !entry.hasGoodCopy()).map(CatalogEntry::backupId).toList();
        if (backupId != null && failedVerification.contains(backupId)) {
            throw new UnreachableTargetException("--backup-id " + backupId + " failed its verification (a stored copy did "
                    + "not decode); it is never recovered from: pick another base backup (mking-backup list --job " + job
                    + ") or take a new one (mking-backup run " + job + ")");
        }
        if (bases.isEmpty() && !failedVerification.isEmpty()) {
            throw new UnreachableTargetException("every base backup of job '" + job + "' failed its verification ("
                    + String.join(", ", failedVerification) + "); none is recovered from: take a new one (mking-backup run "
                    + job + ")");
        }
        if (bases.isEmpty()) {
            throw new UnreachableTargetException("the catalog has no successful base backup of job '" + job + "'; on a new host "
                    + "(or after losing the audit database) run 'mking-backup catalog-rebuild' first, then retry");
        }
        if (backupId != null) {
            bases = bases.stream().filter(entry -> entry.backupId().equals(backupId)).toList();
            if (bases.isEmpty()) {
                throw new IllegalArgumentException("--backup-id " + backupId + " is not a restorable base backup of job '"
                        + job + "' (mking-backup list --job " + job + ")");
            }
        }
        List<String> rejected = new ArrayList<>();
        Map<String, Lookups> lookups = new HashMap<>();
        for (CatalogEntry base : bases) {
            // a copy that failed verification is never recovered from: the base's good copy is, with its store's WAL
            Optional<CatalogEntry.Copy> copy = base.copies().stream()
                    .filter(c -> fromStore == null ? stores.contains(c.store()) : c.store().equals(fromStore))
                    .filter(c -> !c.failedVerification()).findFirst();
            if (copy.isEmpty() && fromStore != null && base.failedIn(fromStore)) {
                rejected.add(base.backupId() + ": its copy in store '" + fromStore + "' failed verification ("
                        + "mking-backup verify " + base.backupId() + "); recover from another store");
                continue;
            }
            if (copy.isEmpty()) {
                rejected.add(base.backupId() + ": no copy in " + (fromStore == null ? "a configured store" : "store '" + fromStore + "'"));
                continue;
            }
            Store store = stores.get(copy.get().store());
            Lookups archived = lookups.computeIfAbsent(store.name(), name -> new Lookups(job, store));
            Manifest manifest = Manifest.read(store.get(copy.get().manifestKey()));
            Optional<Plan> plan = consider(job, base, manifest, store, archived, target, timeline, rejected);
            if (plan.isPresent()) {
                return plan.get();
            }
        }
        throw new UnreachableTargetException("no base backup of job '" + job + "' can reach " + target.describe() + " on timeline "
                + timeline + ": " + String.join("; ", rejected));
    }

    private Optional<Plan> consider(String job, CatalogEntry base, Manifest manifest, Store store, Lookups archived,
                                    RecoveryTarget target, TimelineChoice choice, List<String> rejected) throws IOException {
        WalNames.Segment start = PostgresPhysicalSource.startSegment(manifest).orElseThrow(() ->
                new IOException("base backup " + manifest.backupId() + " does not record its WAL start position"));
        long segmentSize = Long.parseLong(manifest.details().get("walSegmentSize"));
        Lsn startLsn = Lsn.parse(manifest.details().get("startLsn"));
        Lsn consistentAt = manifest.details().containsKey("stopLsn") ? Lsn.parse(manifest.details().get("stopLsn")) : startLsn;
        long timeline = switch (choice.mode()) {
            case CURRENT -> start.timeline();
            case NUMBER -> choice.number();
            case LATEST -> archived.newestTimelineFrom(start.timeline());
        };
        Optional<TimelineHistory> path = archived.history(timeline);
        if (path.isEmpty()) {
            throw new ImpossibleException("timeline " + timeline + " has no history file (" + WalNames.historyName(timeline)
                    + ") in the archive of job '" + job + "' in store '" + store.name() + "'");
        }
        if (!path.get().reachableFrom(start.timeline(), startLsn)) {
            rejected.add(base.backupId() + " (timeline " + start.timeline() + " at " + startLsn + ") is not on the history of timeline "
                    + timeline);
            return Optional.empty();
        }
        Optional<Catalog.RestorePoint> point = Optional.empty();
        Lsn requiredEnd = null; // the chain must be complete at least up to here; null: to the end of the archive
        if (target instanceof RecoveryTarget.Time time) {
            if (base.endTime().toInstant(ZoneOffset.UTC).isAfter(time.instant())) {
                rejected.add(base.backupId() + " finished after " + time.instant());
                return Optional.empty();
            }
        } else if (target instanceof RecoveryTarget.RestorePoint named) {
            List<Catalog.RestorePoint> onPath = archived.restorePoints(named.name(), path.get(), segmentSize);
            if (onPath.isEmpty()) {
                throw new UnreachableTargetException("restore point '" + named.name() + "' is not in the archive of job '" + job
                        + "' on timeline " + timeline + archived.knownRestorePoints(path.get(), segmentSize)
                        + ". A point created after the newest archived WAL is still on the server: run SELECT pg_switch_wal() "
                        + "there and wait for it to be archived");
            }
            // PostgreSQL stops at the first point of that name it replays after the backup became consistent
            Optional<Catalog.RestorePoint> reachable = onPath.stream()
                    .filter(p -> !Lsn.parse(p.lsn()).isBefore(consistentAt)).findFirst();
            if (reachable.isEmpty()) {
                rejected.add(base.backupId() + " is consistent only from " + consistentAt + ", after restore point '"
                        + named.name() + "' (" + onPath.get(onPath.size() - 1).lsn() + ")");
                return Optional.empty();
            }
            point = reachable;
            requiredEnd = Lsn.parse(reachable.get().lsn());
        }
        WalChain.Result chain = WalChain.verify(archived.names(), start, segmentSize, path.get());
        Optional<Instant> endsAt = archived.lastTransactionTime(chain, segmentSize);
        if (!chain.complete()) {
            long gap = WalNames.parse(chain.missing().get(), segmentSize).orElseThrow().number();
            boolean beforeTarget = requiredEnd != null ? requiredEnd.segment(segmentSize) >= gap
                    : target instanceof RecoveryTarget.Time time ? endsAt.map(end -> !end.isAfter(time.instant())).orElse(true)
                    : true;
            if (beforeTarget) {
                throw new ImpossibleException("the WAL archive of job '" + job + "' in store '" + store.name() + "' has a gap on "
                        + "timeline " + timeline + ": segment " + chain.missing().get() + " is missing (needed after base backup "
                        + base.backupId() + " to reach " + target.describe() + "); recovery past it is impossible");
            }
        }
        if (target instanceof RecoveryTarget.Time time && endsAt.isPresent() && !endsAt.get().isAfter(time.instant())) {
            throw new UnreachableTargetException("the archive of job '" + job + "' on timeline " + timeline + " ends with a transaction "
                    + "at " + endsAt.get() + " (segment " + chain.newest() + "); " + time.instant() + " is later, so recovery "
                    + "could not tell it reached it. Newer WAL may still be on the server: run SELECT pg_switch_wal() there and "
                    + "wait for it to be archived, or choose an earlier time");
        }
        return Optional.of(new Plan(base, manifest, store, timeline, path.get(), chain, target, point, endsAt));
    }

    /** The WAL chain from the base backup in the manifest to the end of the archive, on the base backup's timeline path. */
    public WalChain.Result verifyChain(String job, Store store, Manifest manifest, long timeline) throws IOException {
        WalNames.Segment start = PostgresPhysicalSource.startSegment(manifest).orElseThrow(() ->
                new IOException("base backup " + manifest.backupId() + " does not record its WAL start position"));
        long segmentSize = Long.parseLong(manifest.details().get("walSegmentSize"));
        Lookups archived = new Lookups(job, store);
        TimelineHistory path = archived.history(timeline).orElseThrow(() -> new IOException("timeline " + timeline
                + " has no history file in store '" + store.name() + "'"));
        return WalChain.verify(archived.names(), start, segmentSize, path);
    }

    /** Every timeline the archive in a store holds: those named by segments and by history files. */
    public Set<Long> timelines(String job, Store store) throws IOException {
        Set<Long> timelines = new TreeSet<>();
        for (String name : archive.archived(job, store)) {
            if (name.endsWith(".history")) {
                timelines.add(WalNames.historyTimeline(name));
            } else if (WalNames.isSegment(name)) {
                timelines.add(Long.parseLong(name.substring(0, 8), 16));
            }
        }
        return timelines;
    }

    /** Archive lookups for one store, each read once per plan. */
    private final class Lookups {
        private final String job;
        private final Store store;
        private TreeSet<String> names;
        private final Map<Long, Optional<TimelineHistory>> histories = new HashMap<>();
        private List<Catalog.RestorePoint> points;

        Lookups(String job, Store store) {
            this.job = job;
            this.store = store;
        }

        TreeSet<String> names() throws IOException {
            if (names == null) {
                names = archive.archived(job, store);
            }
            return names;
        }

        Optional<TimelineHistory> history(long timeline) throws IOException {
            if (!histories.containsKey(timeline)) {
                histories.put(timeline, timeline > 1 && !names().contains(WalNames.historyName(timeline)) ? Optional.empty()
                        : archive.history(job, timeline, store));
            }
            return histories.get(timeline);
        }

        /** As PostgreSQL finds the latest timeline: probe the history files after the base backup's one by one. */
        long newestTimelineFrom(long timeline) throws IOException {
            long newest = timeline;
            while (names().contains(WalNames.historyName(newest + 1))) {
                newest++;
            }
            return newest;
        }

        List<Catalog.RestorePoint> restorePoints(String name, TimelineHistory path, long segmentSize) {
            return all().stream().filter(p -> p.name().equals(name))
                    .filter(p -> path.timelineOfSegment(Lsn.parse(p.lsn()).segment(segmentSize), segmentSize) == p.timeline())
                    .toList();
        }

        String knownRestorePoints(TimelineHistory path, long segmentSize) {
            List<String> known = all().stream()
                    .filter(p -> path.timelineOfSegment(Lsn.parse(p.lsn()).segment(segmentSize), segmentSize) == p.timeline())
                    .map(p -> p.name() + " (" + p.time() + ")").distinct().toList();
            return known.isEmpty() ? " (it records none)" : " (it records: " + String.join(", ", known) + ")";
        }

        /**
         * The restore points the audit database recorded; when it recorded none (a DR host whose catalog was
         * rebuilt, an archive older than the table), the WAL manifests in the store, which hold them too.
         */
        private List<Catalog.RestorePoint> all() {
            if (points == null) {
                points = catalog.restorePoints(job, "");
                if (points.isEmpty()) {
                    points = fromManifests();
                }
            }
            return points;
        }

        private List<Catalog.RestorePoint> fromManifests() {
            List<Catalog.RestorePoint> found = new ArrayList<>();
            try {
                for (String file : names()) {
                    if (!WalNames.isSegment(file)) {
                        continue;
                    }
                    Optional<Manifest> manifest = archive.manifest(job, file, store);
                    if (manifest.isPresent()) {
                        for (var point : WalArchive.restorePoints(manifest.get())) {
                            found.add(new Catalog.RestorePoint(point.name(), point.lsn().toString(),
                                    Long.parseLong(file.substring(0, 8), 16), file, point.time()));
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            found.sort(java.util.Comparator.comparing(Catalog.RestorePoint::time));
            return found;
        }

        /** The time of the newest transaction in the chain: its manifests, newest first, until one recorded any. */
        Optional<Instant> lastTransactionTime(WalChain.Result chain, long segmentSize) throws IOException {
            List<String> files = chain.files();
            for (int i = files.size() - 1; i >= 0 && i >= files.size() - 64; i--) {
                Optional<Manifest> manifest = archive.manifest(job, files.get(i), store);
                String time = manifest.map(m -> m.details() == null ? null : m.details().get("lastXactTime")).orElse(null);
                if (time != null) {
                    return Optional.of(Instant.parse(time));
                }
            }
            return Optional.empty();
        }
    }
}
