package com.mking.backup.source.postgres.recovery;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.pipeline.CorruptArtefactException;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.postgres.PostgresPhysicalSource;
import com.mking.backup.store.Store;
import com.mking.backup.source.postgres.wal.Lsn;
import com.mking.backup.source.postgres.wal.TimelineHistory;
import com.mking.backup.source.postgres.wal.WalArchive;
import com.mking.backup.source.postgres.wal.WalChain;
import com.mking.backup.source.postgres.wal.WalNames;
import com.mking.backup.store.StoreRegistry;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a job's WAL archive in one store the way recovery will use it: for every timeline in the
 * archive, the chain from the oldest kept base backup that can reach it has no gap (following the
 * timeline's history, so a branch is not a gap); and, unless only names are asked for, every file on
 * those chains and every history file is read back in full (decrypted, both SHA-256s), so a file that
 * would fail a recovery fails here first.
 */
public final class ArchiveVerifier {

    private final Catalog catalog;
    private final StoreRegistry stores;
    private final WalArchive archive;
    private final RecoveryPlanner planner;

    public ArchiveVerifier(Catalog catalog, StoreRegistry stores, WalArchive archive, RecoveryPlanner planner) {
        this.catalog = catalog;
        this.stores = stores;
        this.archive = archive;
        this.planner = planner;
    }

    /** One finding; {@code problem} findings fail the verification. */
    public record Finding(boolean problem, String text) {
    }

    public record Report(String store, List<Finding> findings, int filesRead) {

        public boolean passed() {
            return findings.stream().noneMatch(Finding::problem);
        }
    }

    public Report verify(String job, String storeName, boolean readContent) throws IOException {
        Store store = stores.get(storeName);
        List<Finding> findings = new ArrayList<>();
        List<CatalogEntry> kept = catalog.restorable(job).stream()
                .filter(entry -> entry.goodIn(storeName)).toList();
        if (kept.isEmpty()) {
            findings.add(new Finding(true, "no kept base backup has a copy in this store"));
            return new Report(storeName, findings, 0);
        }
        List<Manifest> manifests = new ArrayList<>();
        for (CatalogEntry entry : kept) {
            for (CatalogEntry.Copy copy : entry.copies()) {
                if (copy.store().equals(storeName)) {
                    manifests.add(0, Manifest.read(store.get(copy.manifestKey()))); // oldest first: it needs the longest chain
                }
            }
        }
        Set<String> toRead = new LinkedHashSet<>();
        Set<Long> timelines = new java.util.TreeSet<>(planner.timelines(job, store));
        manifests.forEach(m -> PostgresPhysicalSource.startSegment(m).ifPresent(s -> timelines.add(s.timeline())));
        for (long timeline : timelines) {
            Optional<TimelineHistory> path;
            try {
                path = archive.history(job, timeline, store);
            } catch (IOException e) {
                findings.add(new Finding(true, "timeline " + timeline + ": its history file cannot be read: "
                        + BackupRunner.describe(e)));
                continue;
            }
            if (path.isEmpty()) {
                findings.add(new Finding(true, "timeline " + timeline + ": WAL is archived but its history file "
                        + WalNames.historyName(timeline) + " is not; recovery cannot follow it"));
                continue;
            }
            if (timeline > 1) {
                toRead.add(WalNames.historyName(timeline));
            }
            Optional<Manifest> base = manifests.stream().filter(m -> reaches(m, path.get())).findFirst();
            String branch = path.get().ancestors().isEmpty() ? "" : " (branched from " + path.get().ancestors()
                    .get(path.get().ancestors().size() - 1).timeline() + " at " + path.get().ancestors()
                    .get(path.get().ancestors().size() - 1).end() + ")";
            if (base.isEmpty()) {
                findings.add(new Finding(false, "timeline " + timeline + branch + ": no kept base backup reaches it"));
                continue;
            }
            WalChain.Result chain = planner.verifyChain(job, store, base.get(), timeline);
            toRead.addAll(chain.files());
            if (chain.complete()) {
                findings.add(new Finding(false, "timeline " + timeline + branch + ": OK " + chain.segments() + " segments "
                        + chain.start() + " .. " + chain.newest() + " from base backup " + base.get().backupId()
                        + " (" + kept.size() + " kept)"));
            } else {
                findings.add(new Finding(true, "timeline " + timeline + branch + ": GAP: segment " + chain.missing().get()
                        + " is missing (the chain from " + chain.start() + " reached " + chain.newest() + ")"));
            }
        }
        int read = 0;
        if (readContent) {
            for (String file : toRead) {
                try {
                    archive.verify(job, file, store);
                    read++;
                } catch (CorruptArtefactException | FileNotFoundException e) {
                    findings.add(new Finding(true, "BAD " + file + ": " + BackupRunner.describe(e)));
                } catch (IOException | RuntimeException e) {
                    findings.add(new Finding(true, "NOT VERIFIED " + file + " (cannot read it here): " + BackupRunner.describe(e)));
                }
            }
            findings.add(new Finding(false, read + " of " + toRead.size() + " files read back in full "
                    + "(decrypted, both SHA-256 checked)"));
        }
        return new Report(storeName, findings, read);
    }

    private static boolean reaches(Manifest base, TimelineHistory path) {
        Optional<WalNames.Segment> start = PostgresPhysicalSource.startSegment(base);
        return start.isPresent() && path.reachableFrom(start.get().timeline(), Lsn.parse(base.details().get("startLsn")));
    }
}
