package com.mking.backup.retention;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.job.JobSpec;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies {@link RetentionPolicy} to a job, store by store: each store keeps what its rules keep (a
 * rule value {@code "30, local=3"} keeps 30 in every store but 3 in {@code local}), and the other copies
 * in that store are deleted (manifest first, so a half-deleted copy never looks complete), each
 * deletion audited.
 */
public final class Pruner {

    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);
    private static final String[] RULES = {"keepLast", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"};

    /** Runs after a store was pruned, with its oldest kept backup (pg-physical: prune the WAL it no longer needs). */
    public interface AfterPrune {
        void pruned(JobSpec job, Store store, CatalogEntry oldestKept) throws IOException;
    }

    private final java.util.function.ToIntFunction<JobSpec> defaultKeepLast;
    private final Catalog catalog;
    private final StoreRegistry stores;
    private final ZoneId zone;
    private final AfterPrune afterPrune;

    /**
     * @param defaultKeepLast keepLast of a job that does not set it: its source's RetentionDefaults, else 0
     */
    public Pruner(Catalog catalog, StoreRegistry stores, ZoneId zone, AfterPrune afterPrune,
                  java.util.function.ToIntFunction<JobSpec> defaultKeepLast) {
        this.defaultKeepLast = defaultKeepLast;
        this.catalog = catalog;
        this.stores = stores;
        this.zone = zone;
        this.afterPrune = afterPrune;
    }

    /** The rules of a job in one store, from its route-file parameters and its source's defaults. */
    public RetentionPolicy.Rules rules(JobSpec job, String store) {
        return rules(job, store, defaultKeepLast.applyAsInt(job));
    }

    static RetentionPolicy.Rules rules(JobSpec job, String store, int defaultKeepLast) {
        RetentionPolicy.Rules defaults = RetentionPolicy.Rules.defaults();
        int[] fallback = {defaultKeepLast, defaults.daily(), defaults.weekly(), defaults.monthly(), defaults.yearly()};
        int[] values = new int[RULES.length];
        for (int i = 0; i < RULES.length; i++) {
            values[i] = ruleValue(job.parameter(RULES[i]), store).orElse(fallback[i]);
        }
        return new RetentionPolicy.Rules(values[0], values[1], values[2], values[3], values[4]);
    }

    /** True when a rule value is a count, optionally with per-store counts: {@code 30}, {@code 30, local=3}. */
    public static boolean isValidRule(String value) {
        return value.matches("\\s*(\\d{1,6}|[A-Za-z0-9_-]+=\\d{1,6})(\\s*,\\s*(\\d{1,6}|[A-Za-z0-9_-]+=\\d{1,6}))*\\s*");
    }

    private static Optional<Integer> ruleValue(Optional<String> value, String store) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Integer general = null;
        for (String part : value.get().split(",")) {
            String token = part.trim();
            if (token.startsWith(store + "=")) {
                return Optional.of(Integer.parseInt(token.substring(store.length() + 1)));
            }
            if (!token.contains("=")) {
                general = Integer.parseInt(token);
            }
        }
        return Optional.ofNullable(general);
    }

    /** Per store: what stays (with the rules keeping it) and what goes. */
    public Map<String, RetentionPolicy.Decision> decide(JobSpec job) throws IOException {
        List<CatalogEntry> entries = catalog.list(job.name(), null, "success", 1_000_000);
        Map<String, RetentionPolicy.Decision> decisions = new LinkedHashMap<>();
        for (String store : job.stores()) {
            List<RetentionPolicy.Candidate> history = entries.stream()
                    .filter(entry -> entry.storeNames().contains(store))
                    // this store's copy: another store's damaged copy of the same backup does not condemn a good one here
                    .map(entry -> new RetentionPolicy.Candidate(entry.backupId(), entry.startTime().toInstant(ZoneOffset.UTC),
                            entry.failedIn(store), !entry.failedIn(store) && "passed".equals(entry.verification())))
                    .toList();
            decisions.put(store, keepingLocked(RetentionPolicy.decide(history, rules(job, store), zone), store, entries));
        }
        return decisions;
    }

    /**
     * Copies the rules let go but the store still locks (an S3 object lock) stay, kept by the lock: deleting one would
     * only hide it behind a delete marker (a versioned bucket) while it stays stored and billed. The first prune after the lock ends deletes it.
     * An append-only store keeps everything: its privileged configuration prunes it.
     */
    private RetentionPolicy.Decision keepingLocked(RetentionPolicy.Decision decision, String store, List<CatalogEntry> entries)
            throws IOException {
        if (!stores.contains(store) || decision.removed().isEmpty()) {
            return decision;
        }
        Map<String, List<String>> kept = new LinkedHashMap<>(decision.kept());
        List<RetentionPolicy.Candidate> removed = new java.util.ArrayList<>();
        for (RetentionPolicy.Candidate candidate : decision.removed()) {
            Optional<CatalogEntry> entry = entries.stream().filter(e -> e.backupId().equals(candidate.backupId())).findFirst();
            Optional<String> keptBy = entry.isEmpty() ? Optional.empty() : keptByStore(entry.get(), store);
            if (keptBy.isPresent()) {
                kept.put(candidate.backupId(), List.of(keptBy.get()));
            } else {
                removed.add(candidate);
            }
        }
        return new RetentionPolicy.Decision(kept, removed);
    }

    /**
     * Why {@code store} cannot delete its copy of a backup now, if it cannot: the store is append-only (its privileged
     * configuration prunes it), or the copy is under an S3 object lock.
     */
    public Optional<String> keptByStore(CatalogEntry entry, String store) throws IOException {
        if (!stores.contains(store)) {
            return Optional.empty();
        }
        if (stores.get(store).appendOnly()) {
            return Optional.of("append-only store: prune it from the privileged configuration");
        }
        for (CatalogEntry.Copy copy : entry.copies()) {
            if (copy.store().equals(store)) {
                Optional<java.time.Instant> lockedUntil = stores.get(store).lockedUntil(copy.manifestKey()); // written last
                if (lockedUntil.isPresent()) {
                    return Optional.of("object lock until " + lockedUntil.get());
                }
            }
        }
        return Optional.empty();
    }

    /** Deletes one store's copy of a backup and records why. */
    public void deleteCopy(CatalogEntry entry, String store, String reason) throws IOException {
        for (CatalogEntry.Copy copy : entry.copies()) {
            if (copy.store().equals(store) && stores.contains(store)) {
                deleteBackup(stores.get(store), copy);
            }
        }
        catalog.markCopyDeleted(entry.backupId(), store, reason);
        LOG.info("deleted the copy in store '{}' of backup {} of job {} ({})", store, entry.backupId(), entry.job(), reason);
    }

    /**
     * The manifest first (from then on the backup no longer looks complete), then everything else under the backup's
     * prefix: every artefact, whether or not a manifest still names it (a prune cut short and retried leaves none).
     */
    private static void deleteBackup(com.mking.backup.store.Store store, CatalogEntry.Copy copy) throws IOException {
        String prefix = copy.manifestKey().substring(0, copy.manifestKey().length() - com.mking.backup.pipeline.Manifest.FILE_NAME.length());
        store.delete(copy.manifestKey());
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(store.list(prefix));
        keys.add(copy.dataKey());
        for (String key : keys) {
            store.delete(key);
        }
    }

    /** Applies the decisions (unless a dry run) and returns them. */
    public Map<String, RetentionPolicy.Decision> prune(JobSpec job, boolean dryRun) throws IOException {
        Map<String, RetentionPolicy.Decision> decisions = decide(job);
        if (dryRun) {
            return decisions;
        }
        for (Map.Entry<String, RetentionPolicy.Decision> perStore : decisions.entrySet()) {
            for (RetentionPolicy.Candidate removed : perStore.getValue().removed()) {
                deleteCopy(catalog.find(removed.backupId()).orElseThrow(), perStore.getKey(), "retention: no rule keeps it");
            }
            List<String> kept = List.copyOf(perStore.getValue().kept().keySet());
            Optional<CatalogEntry> oldestKept = catalog.list(job.name(), null, "success", 1_000_000).stream()
                    .filter(entry -> kept.contains(entry.backupId())).reduce((newer, older) -> older);
            if (oldestKept.isPresent() && afterPrune != null) {
                afterPrune.pruned(job, stores.get(perStore.getKey()), oldestKept.get());
            }
        }
        return decisions;
    }
}
