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
import java.util.List;

/**
 * Applies {@link RetentionPolicy} to a job's catalog: decides, and unless it is a dry run deletes the
 * backups no rule keeps (manifest first, so a half-deleted backup never looks complete) and records
 * each deletion in the audit tables.
 */
public final class Pruner {

    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

    private final Catalog catalog;
    private final StoreRegistry stores;
    private final ZoneId zone;

    public Pruner(Catalog catalog, StoreRegistry stores, ZoneId zone) {
        this.catalog = catalog;
        this.stores = stores;
        this.zone = zone;
    }

    /** The rules of a job from its route-file parameters (keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly). */
    public static RetentionPolicy.Rules rules(JobSpec job) {
        RetentionPolicy.Rules defaults = RetentionPolicy.Rules.defaults();
        return new RetentionPolicy.Rules(
                Integer.parseInt(job.parameter("keepLast", "pg-physical".equals(job.source()) ? "7" : "0")),
                Integer.parseInt(job.parameter("keepDaily", Integer.toString(defaults.daily()))),
                Integer.parseInt(job.parameter("keepWeekly", Integer.toString(defaults.weekly()))),
                Integer.parseInt(job.parameter("keepMonthly", Integer.toString(defaults.monthly()))),
                Integer.parseInt(job.parameter("keepYearly", Integer.toString(defaults.yearly()))));
    }

    public RetentionPolicy.Decision decide(JobSpec job) {
        List<RetentionPolicy.Candidate> history = catalog.list(job.name(), null, "success", 1_000_000).stream()
                .filter(entry -> !entry.copies().isEmpty())
                .map(entry -> new RetentionPolicy.Candidate(entry.backupId(), entry.startTime().toInstant(ZoneOffset.UTC),
                        "failed".equals(entry.verification()), "passed".equals(entry.verification())))
                .toList();
        return RetentionPolicy.decide(history, rules(job), zone);
    }

    /** Deletes every copy of a backup and records why. */
    public void delete(CatalogEntry entry, String reason) throws IOException {
        for (CatalogEntry.Copy copy : entry.copies()) {
            if (stores.contains(copy.store())) {
                Store store = stores.get(copy.store());
                store.delete(copy.manifestKey());
                store.delete(copy.dataKey());
            }
        }
        catalog.markDeleted(entry.backupId(), reason);
        LOG.info("deleted backup {} of job {} ({})", entry.backupId(), entry.job(), reason);
    }

    /** Applies the decision; returns it. */
    public RetentionPolicy.Decision prune(JobSpec job, boolean dryRun) throws IOException {
        RetentionPolicy.Decision decision = decide(job);
        if (!dryRun) {
            for (RetentionPolicy.Candidate removed : decision.removed()) {
                CatalogEntry entry = catalog.find(removed.backupId()).orElseThrow();
                delete(entry, "retention: no rule keeps it");
            }
        }
        return decision;
    }
}
